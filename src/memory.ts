// A full garbage collection on demand, for large streams only.
//
// A 100 MB stream is read as bytes, decoded into a string, and parsed in part; V8 rarely runs a
// full collection during such a short-lived process, so the dead input buffer and the trees of
// documents already handled stay in memory until exit and the peak grows to several times the
// input. Collecting at a few points between phases keeps the peak near the input's own size for
// a few tens of milliseconds. Small streams never pay for it.
import { createRequire } from 'node:module';

/**
 * Below this many characters of input, collecting costs more than it saves. Tests lower it
 * (GATEWAY_COMPAT_LARGE_INPUT) to run the large-stream path on small streams.
 */
export const LARGE_INPUT = Number(process.env.GATEWAY_COMPAT_LARGE_INPUT) || 32 * 1024 * 1024;

/**
 * From this many bytes of input on, a run continues in a Node.js with a small young generation
 * (hosts/v8-tuning.ts), well below LARGE_INPUT: the restart costs about 40 ms, and a JSON List of
 * 8 MB (one document, whose tree and texts are alive together while the rules edit it) peaks at
 * 155 MB with V8's default young generation, above the 3x input + 100 MB bound, and at 123 MB
 * with the small one.
 */
export const TUNED_INPUT = Math.min(LARGE_INPUT, 4 * 1024 * 1024);

/**
 * A stream of small documents continues in the tuned Node.js only from this size on (src/input/stdin.ts):
 * without it, the 10 MB benchmark streams peak at 107 MB (bound: 130 MB), streams of 30 MB at 185 MB
 * (bound: 190 MB, too close), so the line is drawn at 16 MiB.
 */
export const TUNED_STREAM = Math.min(LARGE_INPUT, 16 * 1024 * 1024);

/** A document this large (a List) makes a stream of any size from TUNED_INPUT on continue tuned. */
export const LARGE_DOCUMENT = 2 * 1024 * 1024;

let collect: (() => void) | undefined;

/** Whether this run changed V8's flags (V8 refuses a code cache made under other flags). */
export function v8FlagsChanged(): boolean {
  return collect !== undefined;
}

export function collectGarbage(): void {
  if (!collect) {
    // The documented way to reach gc() without starting node with --expose-gc (which the Helm,
    // kustomize and kpt hosts would not pass): the flag applies to contexts created after it.
    // Loaded here, not at start-up: most runs never need them.
    try {
      const load = createRequire(import.meta.url);
      (load('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
      collect = (load('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
    } catch {
      // A runtime that refuses the flag only costs memory, never the run.
      collect = () => undefined;
    }
  }
  collect();
}

/** Characters of replaced document texts since the last collection (see textReplaced). */
let replacedSince = 0;
const REPLACED_LIMIT = 32 * 1024 * 1024;

/**
 * An edit replaced a document's text of `length` characters with a new one. The old texts of a
 * large document (a List of 8 MB edited for every Gateway and Deployment in it) are garbage V8
 * keeps until a full collection, which a short run rarely reaches on its own: collect once they
 * add up to REPLACED_LIMIT, so they never pile up to many times the input.
 */
export function textReplaced(length: number): void {
  if (length < 1024 * 1024) return;
  replacedSince += length;
  if (replacedSince < REPLACED_LIMIT) return;
  replacedSince = 0;
  collectGarbage();
}

// The answers of the cheap text checks (text-checks.ts, sysctl-names.ts), remembered while a
// transform runs. The same check reaches the same document from several places: the rules'
// pre-checks, the warnings' searches, the stream-wide rules' own passes over the stream. Each is a
// few `includes` over the whole text, and most of a render's bytes are in large ConfigMaps and
// Secrets that no check finds anything in, so each is scanned once per check, not once per caller.
// Outside a transform nothing is remembered (nothing would ever let the texts go).

/**
 * check -> text length -> the texts of that length, with their answers. Only texts of LONG_TEXT
 * characters or more are remembered: a short one is scanned in less time than a Map finds it.
 * Keyed by length, not by the text: a Map keyed by strings hashes each (up to 16 K characters, not
 * faster than the check itself) and hashes longer ones by their length alone. At most
 * TEXTS_PER_LENGTH texts of one length are kept (equal-sized documents that differ near their end
 * would otherwise be compared whole with each other); a text beyond those is checked each time,
 * as without the memory.
 */
let remembered: Map<object, Map<number, { text: string; answer: boolean }[]>> | undefined;
const LONG_TEXT = 4096;
const TEXTS_PER_LENGTH = 2;
/** @internal how many texts each check really scanned while remembering (test/kube/text-memo.test.ts) */
let scans: Map<object, number> | undefined;

/** `check(text, key)`, remembered under `key` (an object that names the check) while a transform runs. */
export function rememberedCheck<K extends object>(key: K, text: string, check: (text: string, key: K) => boolean): boolean {
  if (!remembered || text.length < LONG_TEXT) return scanned(key, text, check);
  let byLength = remembered.get(key);
  if (!byLength) remembered.set(key, (byLength = new Map()));
  let known = byLength.get(text.length);
  if (!known) byLength.set(text.length, (known = []));
  for (const entry of known) if (entry.text === text) return entry.answer;
  const answer = scanned(key, text, check);
  if (known.length < TEXTS_PER_LENGTH) known.push({ text, answer });
  return answer;
}

function scanned<K extends object>(key: K, text: string, check: (text: string, key: K) => boolean): boolean {
  scans?.set(key, (scans.get(key) ?? 0) + 1);
  return check(text, key);
}

/** Runs `run` with the checks' answers remembered; they are forgotten when it returns (a nested call shares the outer memory). */
export function withChecksRemembered<T>(run: () => T): T {
  if (remembered) return run();
  remembered = new Map();
  try {
    return run();
  } finally {
    remembered = undefined;
  }
}

/** @internal For tests: runs `run` and returns how many texts each check scanned (by key). */
export function countingScans(run: () => void): Map<object, number> {
  const counted = new Map<object, number>();
  scans = counted;
  try {
    run();
  } finally {
    scans = undefined;
  }
  return counted;
}

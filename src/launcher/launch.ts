// bin/gateway-compat.mjs: starts the CLI, whose code is bin/gateway-compat-core.cjs (src/cli.ts
// and all it uses, one CommonJS bundle), compiled with V8's code cache (./code-cache.ts).
//
// Why two files: V8 can cache what it compiled for a classic script (vm.Script, on every Node.js
// version we support), not for an ES module on Node 20; and a CommonJS bundle loads each Node.js
// built-in module when the code that needs it first runs, where an ES module bundle imports every
// one up front (node:child_process, node:crypto and node:fs/promises alone cost about 13 ms).
// This file stays tiny and touches only built-ins Node.js has loaded already.
import type * as Fs from 'node:fs';
import type * as Module from 'node:module';
import type * as Os from 'node:os';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as Vm from 'node:vm';
import { LEVEL_START_UP, loadCache, saveCache, type Builtins, type CoreIdentity } from './code-cache.js';

/** A hash of the core's bytes, put here by scripts/build.mjs. */
declare const GATEWAY_COMPAT_CORE_ID: string;

/** What the core (src/cli.ts) exports. */
interface Core {
  main(argv: string[]): Promise<void>;
  /** the coverage a cache written after this run would have; undefined: write none (V8 flags changed) */
  codeCacheLevel(): number | undefined;
}

// process.getBuiltinModule (20.16+) gives the CommonJS module; an ES import of node:fs would build
// its ES facade, which reads fs.promises and loads the stream modules (several ms).
const builtin: <T>(id: string) => T = process.getBuiltinModule
  ? (id) => process.getBuiltinModule(id) as never
  : ((await import('node:module')) as typeof Module).createRequire(import.meta.url);

const fs = builtin<typeof Fs>('node:fs');
const path = builtin<typeof Path>('node:path');
const vm = builtin<typeof Vm>('node:vm');
const url = builtin<typeof Url>('node:url');
const builtins: Builtins = { fs, path, tmpdir: () => builtin<typeof Os>('node:os').tmpdir() };

const launcherUrl = import.meta.url;
const corePath = url.fileURLToPath(new URL('./gateway-compat-core.cjs', launcherUrl));
const DEBUG = process.env.GATEWAY_COMPAT_CODE_CACHE_DEBUG === '1';
const debug = (text: string): void => {
  if (DEBUG) fs.writeSync(2, `gateway-compat code cache: ${text}\n`);
};

const fd = fs.openSync(corePath, 'r');
const info = fs.fstatSync(fd);
const source = fs.readFileSync(fd, 'utf8');
fs.closeSync(fd);
const core: CoreIdentity = { id: GATEWAY_COMPAT_CORE_ID, size: info.size, mtimeMs: info.mtimeMs };
const cache = loadCache(builtins, core, process.env, process.execArgv);

// The CommonJS wrapper Node.js itself puts around a module, and the launcher's URL, which the
// bundle uses where its sources say import.meta.url (scripts/build.mjs).
const wrapped = `(function (exports, require, module, __filename, __dirname, __gatewayCompatLauncherUrl) {${source}\n})`;
let script: Vm.Script;
try {
  script = new vm.Script(wrapped, { filename: corePath, ...(cache.data ? { cachedData: cache.data } : {}) });
} catch (error) {
  // Only a syntax error can land here, and it is the same without the cache.
  if (!cache.data) throw error;
  script = new vm.Script(wrapped, { filename: corePath });
}
const state = cache.data && script.cachedDataRejected ? 'rejected' : cache.state;
debug(`${state}${cache.reason ? ` (${cache.reason})` : ''} ${cache.file ?? '(no folder)'}`);

const module = { exports: {} as Core };
const load = script.runInThisContext() as (...args: unknown[]) => void;
load(module.exports, builtin<typeof Module>('node:module').createRequire(corePath), module, corePath, path.dirname(corePath), launcherUrl);
await module.exports.main(process.argv.slice(2));

// After the run, so that the functions it compiled are in the cache too. Written when there is none
// usable, or when this run compiled a part of the core the cache lacks (a transform after an empty
// stream's cache, an injection template after a gateway chart's). The level is a set of such
// parts, a bit each (src/code-cache-areas.ts); the new cache holds the old one's functions too
// (V8 serializes every function that has bytecode, the ones it deserialized included).
const level = module.exports.codeCacheLevel();
const covered = state === 'accepted' ? cache.level : 0;
if (level !== undefined && state !== 'disabled' && (state !== 'accepted' || (level & ~covered) !== 0)) {
  try {
    const written = saveCache(
      builtins,
      core,
      process.env,
      process.execArgv,
      cache,
      level | covered | LEVEL_START_UP,
      script.createCachedData(),
    );
    debug(written ? `wrote ${written}` : 'not written');
  } catch {
    debug('not written');
  }
}
// Everything is written (synchronously) and awaited: leave now. A natural exit first tears down the
// heap, waiting for V8's background tasks, which costs a run that held many files' results
// (--check over a thousand files) hundreds of milliseconds more.
process.exit();

// Many tests run the CLI with spawnSync, which blocks this worker's event loop. vitest's worker
// talks to the main process over an RPC channel whose answers are read by that loop, and gives up
// after 60 s ("[vitest-worker]: Timeout calling onTaskUpdate", an unhandled error that fails the
// run although every test passed). A file of synchronous tests awaits only settled promises
// between tests, so on a loaded machine the loop may not turn for longer than that. One turn of
// the loop before each test lets the answers in.
import { beforeEach } from 'vitest';

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

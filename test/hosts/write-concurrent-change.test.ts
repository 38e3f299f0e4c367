// Issue 11, item 8: --write and a concurrent change. A file written by an editor or a parallel
// hook run between our read and our rename would be lost; each file is read again right before
// any is replaced, and a changed one fails the run without writing anything.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceFiles } from '../../src/hosts/atomic-write.js';
import { gatewayDeployment, stream } from '../helpers/manifests.js';
import { POST_RENDER } from '../helpers/run-cli.js';

const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-concurrent-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const leftovers = (folder: string) => readdirSync(folder).filter((name) => name.includes('.gateway-compat-'));

describe('--write detects a file changed between read and rename', () => {
  it('replaceFiles: a file that no longer holds what was read is not replaced, nor is any other', async () => {
    const folder = mkdtempSync(path.join(dir, 'unit-'));
    const a = path.join(folder, 'a.yaml');
    const b = path.join(folder, 'b.yaml');
    writeFileSync(a, 'read: a\n');
    writeFileSync(b, 'changed by an editor\n');
    await expect(
      replaceFiles([
        { file: a, content: 'new: a\n', expected: 'read: a\n' },
        { file: b, content: 'new: b\n', expected: 'read: b\n' },
      ]),
    ).rejects.toMatchObject({ code: 'ECHANGED', file: b });
    expect(readFileSync(a, 'utf8')).toBe('read: a\n');
    expect(readFileSync(b, 'utf8')).toBe('changed by an editor\n');
    expect(leftovers(folder)).toEqual([]);
  });

  /** Stops --write (SIGSTOP) the moment its temporary file appears, changes the file, lets it go on. */
  async function changeDuringWrite(
    copies: number,
  ): Promise<{ caught: boolean; code: number | null; stderr: string; after: string; folder: string }> {
    const folder = mkdtempSync(path.join(dir, 'cli-'));
    const file = path.join(folder, 'manifests.yaml');
    const filler = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler\ndata:\n  blob: |\n${`    ${'x'.repeat(95)}\n`.repeat(100_000)}`;
    writeFileSync(file, stream(gatewayDeployment(), ...Array.from({ length: copies }, () => filler)));
    const child = spawn(process.execPath, [POST_RENDER, '--write', '--report', 'none', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let caught = false;
    const watcher = watch(folder, () => {
      if (caught || child.exitCode !== null) return;
      child.kill('SIGSTOP');
      if (leftovers(folder).length === 0) {
        child.kill('SIGCONT');
        return;
      }
      caught = true;
      watcher.close();
      writeFileSync(file, 'the user saved this meanwhile\n');
      child.kill('SIGCONT');
    });
    const code = await exited;
    watcher.close();
    return { caught, code, stderr, after: readFileSync(file, 'utf8'), folder };
  }

  it('the CLI fails that run (exit 1, a clear message), keeps the change, leaves no temporary file', async () => {
    let run;
    for (const copies of [6, 12, 24]) {
      run = await changeDuringWrite(copies);
      if (run.caught) break;
    }
    if (!run?.caught) throw new Error('--write always finished before its temporary file could be caught; the case proved nothing');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the file changed while gateway-compat was working on it');
    expect(run.stderr).toContain('no file was changed');
    expect(run.after).toBe('the user saved this meanwhile\n');
    expect(leftovers(run.folder)).toEqual([]);
  }, 240_000);
});

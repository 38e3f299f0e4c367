// The checks every file of ours in a shared place goes through (src/local/private-files.ts): the
// code cache and the Helm 4 error file rely on them, so each refusal is shown here on a real file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOwnFolder, notOwnPlainFile, replaceWithNewFile } from '../../src/local/private-files.js';

const uid = process.getuid!();
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gc-private-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const folder = (name: string, mode: number): string => {
  const at = path.join(dir, name);
  fs.mkdirSync(at);
  fs.chmodSync(at, mode);
  return at;
};
const statOf = (file: string): fs.Stats => {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return fs.fstatSync(fd);
  } finally {
    fs.closeSync(fd);
  }
};

describe('isOwnFolder', () => {
  it('takes a folder of ours that others cannot write; a private one only at 0700', () => {
    const closed = folder('closed', 0o700);
    const readable = folder('readable', 0o755);
    expect(isOwnFolder(fs, closed, uid, { private: true })).toBe(true);
    expect(isOwnFolder(fs, closed, uid, { private: false })).toBe(true);
    expect(isOwnFolder(fs, readable, uid, { private: false })).toBe(true);
    expect(isOwnFolder(fs, readable, uid, { private: true })).toBe(false);
  });

  it("refuses a folder others can write, another user's, a symlink to ours, a file, a missing one", () => {
    expect(isOwnFolder(fs, folder('open', 0o777), uid, { private: false })).toBe(false);
    expect(isOwnFolder(fs, folder('group', 0o770), uid, { private: false })).toBe(false);
    const ours = folder('ours', 0o700);
    expect(isOwnFolder(fs, ours, uid + 1, { private: false })).toBe(false);
    fs.symlinkSync(ours, path.join(dir, 'link'));
    expect(isOwnFolder(fs, path.join(dir, 'link'), uid, { private: true })).toBe(false);
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(isOwnFolder(fs, path.join(dir, 'file'), uid, { private: false })).toBe(false);
    expect(isOwnFolder(fs, path.join(dir, 'missing'), uid, { private: false })).toBe(false);
  });
});

describe('notOwnPlainFile', () => {
  it('takes a regular file of ours with one link', () => {
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, 'x', { mode: 0o600 });
    expect(notOwnPlainFile(statOf(file), uid, { othersMayNotWrite: true })).toBeUndefined();
  });

  it('says why it refuses: a FIFO, another owner, a file others may write, a hard link', () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(notOwnPlainFile(statOf(fifo), uid, { othersMayNotWrite: false })).toBe('not a regular file');
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, 'x', { mode: 0o600 });
    expect(notOwnPlainFile(statOf(file), uid + 1, { othersMayNotWrite: false })).toBe('owned by another user');
    fs.chmodSync(file, 0o666);
    expect(notOwnPlainFile(statOf(file), uid, { othersMayNotWrite: true })).toBe('writable by other users');
    expect(notOwnPlainFile(statOf(file), uid, { othersMayNotWrite: false })).toBeUndefined();
    fs.linkSync(file, path.join(dir, 'second-name'));
    expect(notOwnPlainFile(statOf(file), uid, { othersMayNotWrite: false })).toBe('has other links');
  });
});

describe('replaceWithNewFile', () => {
  it('writes every part to a fresh 0600 file and renames it over the target', () => {
    const file = path.join(dir, 'target');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    const parts = [Buffer.from('head\n'), Buffer.alloc(3 * 1024 * 1024, 0x61)];
    expect(replaceWithNewFile(fs, file, path.join(dir, '.target.tmp'), parts)).toBe(true);
    expect(fs.readFileSync(file).equals(Buffer.concat(parts))).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['target']);
  });

  it('leaves a name someone else took alone (O_EXCL), and the target as it was', () => {
    const file = path.join(dir, 'target');
    fs.writeFileSync(file, 'old');
    const taken = path.join(dir, '.target.tmp');
    fs.writeFileSync(taken, 'theirs');
    expect(replaceWithNewFile(fs, file, taken, [Buffer.from('new')])).toBe(false);
    expect(fs.readFileSync(taken, 'utf8')).toBe('theirs');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });

  it('does not follow a symlink planted under the temporary name', () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'keep');
    const planted = path.join(dir, '.target.tmp');
    fs.symlinkSync(victim, planted);
    expect(replaceWithNewFile(fs, path.join(dir, 'target'), planted, [Buffer.from('new')])).toBe(false);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
  });

  it('removes its temporary file when the rename fails', () => {
    const target = folder('a-folder-in-the-way', 0o700);
    fs.writeFileSync(path.join(target, 'content'), '');
    const temporary = path.join(dir, '.tmp');
    expect(replaceWithNewFile(fs, target, temporary, [Buffer.from('new')])).toBe(false);
    expect(fs.existsSync(temporary)).toBe(false);
  });
});

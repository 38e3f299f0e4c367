// bin/gateway-compat.mjs (the launcher) and bin/gateway-compat-core.cjs (the CLI it runs) are
// committed: the pre-commit hook and a plain git checkout run them with nothing installed. So they
// must be exactly what the committed sources build, and load nothing but Node.js built-ins. A
// failure here after a change to src/: run `npm run build` and commit bin/ and
// THIRD_PARTY_NOTICES.md with the change (on a rebase conflict in them, take either side, rebuild,
// and add the rebuilt files).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './e2e/helpers/scratch.js';
import { REPO_ROOT } from './helpers/run-cli.js';

const BUNDLE = 'bin/gateway-compat.mjs';
const CORE = 'bin/gateway-compat-core.cjs';
const NOTICES = 'THIRD_PARTY_NOTICES.md';
const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 ** 2 });

describe('the committed one-file CLI', () => {
  const tree = scratchDir('bundle');

  it('is what a fresh build of the committed sources gives (bundle and third-party notices)', () => {
    // The committed tree, not the working tree: what lands on main is what users run.
    const archive = git(
      'archive',
      '--format=tar',
      'HEAD',
      '--',
      'src',
      'scripts',
      'schemas',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
    );
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(tree, 'node_modules'));
    mkdirSync(path.join(tree, 'bin'), { recursive: true });
    const env = { ...process.env };
    delete env.NO_MINIFY;
    execFileSync(process.execPath, [path.join(tree, 'scripts/build.mjs'), '--bundle-only'], { cwd: tree, env, stdio: 'pipe' });
    for (const file of [BUNDLE, CORE, NOTICES]) {
      const committed = git('show', `HEAD:${file}`).toString('utf8');
      const fresh = readFileSync(path.join(tree, file), 'utf8');
      expect(committed === fresh, `${file} is stale: run \`npm run build\` and commit ${file}`).toBe(true);
    }
  });

  it('is executable, starts with `#!/usr/bin/env node` (no `env -S`, no flags) and imports only Node.js built-ins', () => {
    const launcher = readFileSync(path.join(REPO_ROOT, BUNDLE), 'utf8');
    expect(launcher.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(path.join(REPO_ROOT, BUNDLE)).mode & 0o111).toBe(0o111);
    expect(git('ls-files', '-s', BUNDLE).toString()).toMatch(/^100755 /);
    const core = readFileSync(path.join(REPO_ROOT, CORE), 'utf8');
    // The launcher runs the core as a script (vm.Script), where import() has no loader.
    expect(core).not.toMatch(/\bimport\(/);
    const text = launcher + core;
    const specifiers = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
      (match) => match[1] ?? match[2],
    );
    expect(specifiers.length).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    for (const specifier of specifiers) expect(specifier?.startsWith('node:') && builtins.has(specifier.slice(5)), specifier).toBe(true);
  });

  it('names the licences of everything it inlines, and the project licence is the Apache-2.0 text', () => {
    const notices = readFileSync(path.join(REPO_ROOT, NOTICES), 'utf8');
    for (const bundled of ['yaml', 'minimatch', 'diff', 'brace-expansion', 'balanced-match']) {
      const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', bundled, 'package.json'), 'utf8')) as {
        version: string;
        license: string;
      };
      expect(notices).toContain(`## ${bundled} ${manifest.version} (${manifest.license})`);
    }
    expect(notices).toContain('Permission to use, copy, modify, and/or distribute this software'); // yaml's ISC text
    expect(notices).toContain('Blue Oak Model License'); // minimatch
    expect(readFileSync(path.join(REPO_ROOT, BUNDLE), 'utf8')).toContain('see THIRD_PARTY_NOTICES.md');
    // The canonical Apache License 2.0 text (apache.org LICENSE-2.0.txt, as Debian ships it).
    expect(
      createHash('sha256')
        .update(readFileSync(path.join(REPO_ROOT, 'LICENSE')))
        .digest('hex'),
    ).toBe('cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30');
  });
});

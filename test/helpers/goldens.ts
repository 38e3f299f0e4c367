// The golden fixtures' layout, their two golden forms and the UPDATE_GOLDEN switch, shared by the
// golden, report and fast-reader tests.
//
// test/fixtures/<group>/<case>/ where <group> is a rule's folder under src/rules/ or one of the
// NON_RULE_GROUPS below. A successful case's output is stored as expected.diff, the unified diff
// from input.yaml to the output that a reviewer reads (kpt's .expected/diff.patch), except in the
// EXACT_BYTES_GROUPS, where bytes are the point and expected.yaml holds the output itself.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, createTwoFilesPatch } from 'diff';
import { REPO_ROOT } from './run-cli.js';

export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');

/** Groups of cases about the stream or the host rather than one rule, and what each holds. */
export const NON_RULE_GROUPS: Readonly<Record<string, string>> = {
  stream: 'bytes through the stream: BOM, CRLF, empty documents and markers, untouched documents',
  errors: 'input or configuration the tool refuses',
  report: 'the report on stderr: text, json, --diff',
  select: '--include and --exclude',
  warnings: 'warnings, and --strict turning them into errors',
};

/** Groups whose goldens are the exact output bytes (expected.yaml) rather than a diff. */
export const EXACT_BYTES_GROUPS: readonly string[] = ['stream'];

/** Fixture folders of other subcommands' tests (doctor, explain, nodes), not golden cases. */
export const OTHER_FIXTURE_FOLDERS: readonly string[] = ['doctor', 'explain', 'nodes'];

export const RULE_GROUPS: readonly string[] = readdirSync(path.join(REPO_ROOT, 'src/rules'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(REPO_ROOT, 'src/rules', entry.name, 'rule.ts')))
  .map((entry) => entry.name)
  .sort();

export interface GoldenCase {
  /** `<group>/<case>`, the test's name and the folder under test/fixtures/. */
  id: string;
  group: string;
  dir: string;
  exactBytes: boolean;
}

/** Every case folder under a known group, and the folders that are neither (a test fails on them). */
export function goldenLayout(): { cases: GoldenCase[]; strays: string[] } {
  const cases: GoldenCase[] = [];
  const strays: string[] = [];
  for (const group of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (OTHER_FIXTURE_FOLDERS.includes(group.name)) continue;
    if (!group.isDirectory() || !(RULE_GROUPS.includes(group.name) || group.name in NON_RULE_GROUPS)) {
      strays.push(group.name);
      continue;
    }
    for (const entry of readdirSync(path.join(FIXTURES, group.name), { withFileTypes: true })) {
      const id = `${group.name}/${entry.name}`;
      const dir = path.join(FIXTURES, id);
      if (!entry.isDirectory() || !existsSync(path.join(dir, 'input.yaml'))) strays.push(id);
      else cases.push({ id, group: group.name, dir, exactBytes: EXACT_BYTES_GROUPS.includes(group.name) });
    }
  }
  return { cases: cases.sort((a, b) => a.id.localeCompare(b.id)), strays };
}

/** The golden diff of an output: stable headers (fixed names, no timestamps), three lines of context. */
export function outputDiff(input: string, output: string): string {
  return createTwoFilesPatch('input.yaml', 'output.yaml', input, output, undefined, undefined, { context: 3 });
}

/** The output a diff golden stands for, or undefined when it does not apply to the input exactly. */
export function applyOutputDiff(input: string, diff: string): string | undefined {
  const output = applyPatch(input, diff, { fuzzFactor: 0, autoConvertLineEndings: false });
  return output === false ? undefined : output;
}

/**
 * Why a text cannot be held by a diff golden, if it cannot: a diff reads the same with and without
 * a carriage return or a byte-order mark, and a missing last newline is easy to lose in review.
 */
export function notDiffable(text: string): string | undefined {
  if (text.includes('\r')) return 'it has carriage returns';
  if (text.startsWith('\uFEFF')) return 'it starts with a byte-order mark';
  if (text !== '' && !text.endsWith('\n')) return 'it does not end with a newline';
  return undefined;
}

/** The golden file that holds a successful case's stdout. */
export function outputGoldenFile(golden: GoldenCase): string {
  return path.join(golden.dir, golden.exactBytes ? 'expected.yaml' : 'expected.diff');
}

/** The exact stdout a successful case's golden stands for (expected.yaml, or expected.diff applied to input.yaml). */
export function expectedOutput(dir: string): string {
  if (existsSync(path.join(dir, 'expected.yaml'))) return readFileSync(path.join(dir, 'expected.yaml'), 'utf8');
  const diffFile = path.join(dir, 'expected.diff');
  const output = applyOutputDiff(readFileSync(path.join(dir, 'input.yaml'), 'utf8'), readFileSync(diffFile, 'utf8'));
  if (output === undefined) throw new Error(`${path.relative(REPO_ROOT, diffFile)} does not apply to its input.yaml`);
  return output;
}

const isSet = (value: string | undefined): boolean => value !== undefined && value !== '' && value !== '0' && value !== 'false';

/**
 * True when UPDATE_GOLDEN=1 asks the tests to rewrite the goldens from the real output (for review
 * with git diff) instead of asserting them. Throws in CI, so that a run there cannot pass by
 * rewriting what it should check.
 */
export function updatingGoldens(env: NodeJS.ProcessEnv = process.env): boolean {
  if (isSet(env.UPDATE_GOLDEN) && isSet(env.CI)) {
    throw new Error('UPDATE_GOLDEN is set in CI: goldens are rewritten only on a developer machine, never where they are checked');
  }
  return env.UPDATE_GOLDEN === '1';
}

/** The hint a failing golden assertion gives. */
export function updateHint(file: string, missing = false): string {
  const what = missing ? 'is missing; to create it from the real output' : 'differs from the real output; if the change is intended';
  return `${path.relative(REPO_ROOT, file)} ${what}, run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts test/report/report.test.ts and review git diff`;
}

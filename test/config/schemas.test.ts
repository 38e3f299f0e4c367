// schemas/ is built from src/ (scripts/build-schemas.mjs, src/config/schemas.ts): each rule's schema
// beside its code, the spec schema's rule properties, the kpt keys and the report's rule enum from
// the rule list. A source edited without rebuilding would publish stale schemas.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_API_VERSION, CONFIG_KIND, validateConfigObject, validateSpec } from '../../src/config/config.js';
import { parseFlags, specFromFlags } from '../../src/config/flags.js';
import { specFromConfigMapData } from '../../src/config/function-config.js';
import { buildSchemas } from '../../src/config/schemas.js';
import { WARNING_CODES } from '../../src/report/records.js';
import { RULES } from '../../src/rules/index.js';
import { folderOf } from '../../src/rules/rule.js';
import { gatewayDeployment } from '../helpers/manifests.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const SCHEMAS = path.join(REPO_ROOT, 'schemas');
const built = buildSchemas((file) => readFileSync(path.join(REPO_ROOT, file), 'utf8'));

describe('published schemas', () => {
  it('schemas/ holds exactly what the sources build', () => {
    const published = readdirSync(SCHEMAS, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(SCHEMAS, path.join(entry.parentPath, entry.name)))
      .sort();
    expect(published).toEqual(built.map((schema) => schema.path).sort());
    for (const schema of built) expect(readFileSync(path.join(SCHEMAS, schema.path), 'utf8'), schema.path).toBe(schema.text);
  });

  it('every rule has its schema beside its code, with the id it is published under', () => {
    for (const rule of RULES) {
      const source = JSON.parse(readFileSync(path.join(REPO_ROOT, 'src/rules', folderOf(rule.id), 'schema.json'), 'utf8')) as {
        $id: string;
      };
      expect(source.$id).toBe(`https://gateway-compat.io/schemas/rules/${folderOf(rule.id)}.schema.json`);
      expect(rule.schema).toEqual(source);
    }
  });

  it('a rule added to the list appears in the spec, the kpt keys and the report enum', () => {
    const extra = {
      ...RULES[0],
      id: 'workloadKinds',
      spec: { workloadKinds: '' },
      keys: [{ key: 'workloadKinds', schema: { type: 'string' }, toSpec: () => ({}) }],
    };
    const schemas = buildSchemas(
      (file) => (file.includes('workload-kinds') ? '{}' : readFileSync(path.join(REPO_ROOT, file), 'utf8')),
      [...RULES, extra],
    );
    const byPath = new Map(schemas.map((schema) => [schema.path, schema.schema as Record<string, any>]));
    expect(byPath.get('spec.schema.json')?.properties.workloadKinds).toEqual({ $ref: 'rules/workload-kinds.schema.json' });
    expect(byPath.get('function-input.schema.json')?.properties.workloadKinds).toEqual({ type: 'string' });
    expect(byPath.get('report.schema.json')?.properties.changes.items.properties.rule.enum).toContain('workloadKinds');
    expect(byPath.has('rules/workload-kinds.schema.json')).toBe(true);
  });
});

describe('spec.warnings.ignore', () => {
  // The codes the sources give a warning (`code: '...'`), read from src/ rather than listed here.
  const emitted = new Set<string>();
  for (const entry of readdirSync(path.join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.parentPath.includes('generated')) continue;
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/\bcode: '([a-z-]+)'/g)) emitted.add(match[1] as string);
  }

  it('every code a warning is given is one of WARNING_CODES, and the schema enum is exactly WARNING_CODES', () => {
    expect(emitted.size).toBeGreaterThan(10);
    expect([...emitted].filter((code) => !(WARNING_CODES as readonly string[]).includes(code))).toEqual([]);
    const spec = built.find((schema) => schema.path === 'spec.schema.json')?.schema as Record<string, any>;
    expect(spec.properties.warnings.properties.ignore.items.enum).toEqual([...WARNING_CODES]);
  });

  it('takes every warning code from the flags, the config file and the kpt ConfigMap, and refuses others', () => {
    const codes = [...new Set([...WARNING_CODES, ...emitted])];
    const flags = codes.flatMap((code) => ['--ignore-warning', code]);
    expect(validateSpec(specFromFlags(parseFlags(flags).values), 'flags').warnings?.ignore).toEqual(codes);
    const file = { apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, spec: { warnings: { ignore: codes } } };
    expect(validateConfigObject(file, 'config.yaml').warnings?.ignore).toEqual(codes);
    expect(specFromConfigMapData({ ignoreWarnings: codes.join(',') }).warnings?.ignore).toEqual(codes);
    const cli = runCli([...flags, '--report', 'none'], gatewayDeployment());
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(() => validateSpec({ warnings: { ignore: ['not-a-code'] } }, 'flags')).toThrow(/spec.warnings.ignore\[0\] must be one of/);
  });
});

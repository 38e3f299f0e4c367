// schemas/ is built from src/ (scripts/build-schemas.mjs, src/config/schemas.ts): each rule's schema
// beside its code, the spec schema's rule properties, the kpt keys and the report's rule enum from
// the rule list. A source edited without rebuilding would publish stale schemas.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchemas } from '../../src/config/schemas.js';
import { RULES } from '../../src/rules/index.js';
import { folderOf } from '../../src/rules/rule.js';
import { REPO_ROOT } from '../helpers/run-cli.js';

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

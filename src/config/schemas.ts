// The published JSON Schemas (schemas/), built from their sources: each rule's schema beside its
// code (src/rules/<folder>/schema.json) and the list in src/rules/index.ts, which adds the rules'
// properties to the spec schema, their kpt keys to the ConfigMap schema and their ids to the
// report's rule enum; the warning codes of src/report/records.ts are the enum of spec.warnings.ignore. Written by scripts/build-schemas.mjs; test/config/schemas.test.ts checks
// that schemas/ is what this builds.
import { WARNING_CODES } from '../report/records.js';
import { RULES } from '../rules/index.js';
import { folderOf, type Rule } from '../rules/rule.js';
import functionInputSchema from './function-input.schema.json' with { type: 'json' };
import specSchema from './spec.schema.json' with { type: 'json' };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface PublishedSchema {
  /** path below schemas/ */
  readonly path: string;
  readonly schema: Json;
  /** how it is written: JSON with two-space indent, each of `properties` (and `definitions`) on one line */
  readonly text: string;
}

/** One value on one line, with the spacing the hand-written schemas use: `{ "type": "string" }`. */
function inline(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${inline(item)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** A schema whose property maps list one property per line, as schemas/spec.schema.json always did. */
function render(schema: { [key: string]: Json }): string {
  const lines = Object.entries(schema).map(([key, value]) => {
    if ((key === 'properties' || key === 'definitions') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const items = Object.entries(value).map(([name, item]) => `    ${JSON.stringify(name)}: ${inline(item)}`);
      return `  ${JSON.stringify(key)}: {\n${items.join(',\n')}\n  }`;
    }
    return `  ${JSON.stringify(key)}: ${inline(value)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** `text` of the source file at `path` below the repository root. */
export type ReadSource = (path: string) => string;

export function buildSchemas(readSource: ReadSource, rules: readonly Rule[] = RULES): PublishedSchema[] {
  const copy = (path: string, source: string): PublishedSchema => {
    const text = readSource(source);
    return { path, schema: JSON.parse(text) as Json, text };
  };
  const ruleProperties: { [key: string]: Json } = {};
  for (const rule of rules) {
    for (const [property, pointer] of Object.entries(rule.spec)) {
      ruleProperties[property] = { $ref: `rules/${folderOf(rule.id)}.schema.json${pointer}` };
    }
  }
  // spec.warnings.ignore takes every code a warning can carry, and only those
  const { warnings } = specSchema.properties;
  const ignore = { ...warnings.properties.ignore, items: { enum: [...WARNING_CODES] } };
  const withCodes = { ...warnings, properties: { ...warnings.properties, ignore } };
  const spec = { ...specSchema, properties: { ...ruleProperties, ...specSchema.properties, warnings: withCodes } };

  const keyProperties: { [key: string]: Json } = {};
  for (const rule of rules) for (const key of rule.keys) keyProperties[key.key] = key.schema as Json;
  const functionInput = { ...functionInputSchema, properties: { ...keyProperties, ...functionInputSchema.properties } };

  // The report schema is written by hand but for its rule enum, the ids of the list.
  const ruleIds = inline(rules.map((rule) => rule.id));
  const reportText = readSource('src/report/schema.json').replace(
    /("rule": \{\s*"enum": )\[[^\]]*\]/,
    (_, head: string) => `${head}${ruleIds}`,
  );

  return [
    ...rules.map((rule) => copy(`rules/${folderOf(rule.id)}.schema.json`, `src/rules/${folderOf(rule.id)}/schema.json`)),
    copy('rules/select.schema.json', 'src/config/select.schema.json'),
    { path: 'spec.schema.json', schema: spec as Json, text: render(spec as { [key: string]: Json }) },
    copy('gateway-compat.schema.json', 'src/config/gateway-compat.schema.json'),
    { path: 'function-input.schema.json', schema: functionInput as Json, text: render(functionInput as { [key: string]: Json }) },
    { path: 'report.schema.json', schema: JSON.parse(reportText) as Json, text: reportText },
  ];
}

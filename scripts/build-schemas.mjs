// Builds schemas/ (the published JSON Schemas) from their sources in src/: each rule's schema
// beside its code, and the rule list (src/rules/index.ts), from which the spec schema's rule
// properties, the kpt ConfigMap keys and the report's rule enum are derived (src/config/schemas.ts).
// Run by `npm run build`; test/config/schemas.test.ts fails when schemas/ is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** src/config/schemas.ts, bundled on the fly without the rules' apply modules (never called here). */
async function loadBuilder() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/config/schemas.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
    plugins: [
      {
        name: 'no-apply',
        setup(b) {
          b.onResolve({ filter: /\/apply\.js$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** [{ path, schema, text }] for every file of schemas/. */
export async function generateSchemas() {
  const { buildSchemas } = await loadBuilder();
  return buildSchemas((file) => readFileSync(path.join(root, file), 'utf8'));
}

export function writeSchemas(schemas) {
  for (const { path: file, text } of schemas) {
    mkdirSync(path.dirname(path.join(root, 'schemas', file)), { recursive: true });
    writeFileSync(path.join(root, 'schemas', file), text);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeSchemas(await generateSchemas());

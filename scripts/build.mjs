// Builds what `bin/post-render` and the library entry load: one ESM bundle per entry point,
// plus TypeScript declarations for library users. Runs from `npm ci` (prepare) on a fresh clone.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { generateValidators } from './build-validators.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entries = ['src/cli.ts', 'src/index.ts'].filter((entry) => existsSync(path.join(root, entry)));

writeFileSync(path.join(root, 'src/generated/config-validators.js'), generateValidators());
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  // Smaller code parses faster: start-up is paid on every helm install and pre-commit run.
  minify: !process.env.NO_MINIFY, // NO_MINIFY=1 npm run build: readable names in CPU profiles
  legalComments: 'none',
  // yaml's ES module build: bundled as ESM its exports are plain bindings, where the CommonJS build
  // puts a getter call in front of every isMap()/isScalar() (measurable in every run).
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  logLevel: 'warning',
  // Bundled CommonJS dependencies (ajv) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __gcCreateRequire } from 'node:module'; const require = __gcCreateRequire(import.meta.url);" },
});

if (existsSync(path.join(root, 'src/index.ts'))) {
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
}

// Builds everything that ships:
//   bin/gateway-compat.mjs   the CLI's launcher (src/launcher/): compiles the core with V8's code cache
//   bin/gateway-compat-core.cjs  the whole CLI in one CommonJS file, dependencies inlined
//                            (both committed: the pre-commit hook and a plain git checkout run them
//                            with nothing installed)
//   THIRD_PARTY_NOTICES.md   the licence of every package inlined into the bundles (committed)
//   dist/                    the library entry (ESM) and its TypeScript declarations
//   helm-plugin/gateway-compat/  the Helm 4 plugin folder gets its copy of the CLI and the notices
// Runs from `npm ci` (prepare) and `npm test`. test/bundle.test.ts fails when the committed bundle
// or notices differ from a fresh build of the committed sources.
//
//   node scripts/build.mjs                 everything
//   node scripts/build.mjs --bundle-only   only bin/ and THIRD_PARTY_NOTICES.md
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { generateSchemas, writeSchemas } from './build-schemas.mjs';
import { writeGenerated } from './build-validators.mjs';
import { writeRuleEdits } from './build-rule-edits.mjs';
import { thirdPartyNotices } from './third-party-notices.mjs';
import { copyIntoHelmPlugin } from './helm-plugin.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundleOnly = process.argv.includes('--bundle-only');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

// schemas/, the validators and the Config type with its defaults first: the bundles import them.
const schemas = await generateSchemas();
writeSchemas(schemas);
writeGenerated(schemas);
writeRuleEdits();

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  // Smaller code parses faster: start-up is paid on every helm install and pre-commit run.
  minify: !process.env.NO_MINIFY, // NO_MINIFY=1 npm run build: readable names in CPU profiles
  // The licences of what is inlined are in THIRD_PARTY_NOTICES.md, whole; the banner points there.
  legalComments: 'none',
  // yaml's ES module build: bundled as ESM its exports are plain bindings, where the CommonJS build
  // puts a getter call in front of every isMap()/isScalar() (measurable in every run).
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  logLevel: 'warning',
  metafile: true,
};
const notice = `/*! gateway-compat ${pkg.version} | ${pkg.license} | ${pkg.homepage} | bundles third-party code: see THIRD_PARTY_NOTICES.md beside this package's LICENSE */`;

// The core: CommonJS, so that V8 can cache its compiled code (src/launcher/code-cache.ts) and each
// Node.js built-in is required where first used. Its import() calls become require() (no
// import() may remain: a vm.Script has no module loader), import.meta.url the launcher's URL.
const cli = await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  outfile: 'bin/gateway-compat-core.cjs',
  format: 'cjs',
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__gatewayCompatLauncherUrl' },
  banner: { js: notice },
});
const coreText = readFileSync(path.join(root, 'bin/gateway-compat-core.cjs'), 'utf8');
if (/\bimport\(/.test(coreText)) throw new Error('bin/gateway-compat-core.cjs holds an import(): the launcher runs it as a script');
const launcher = await build({
  ...common,
  entryPoints: ['src/launcher/launch.ts'],
  outfile: 'bin/gateway-compat.mjs',
  define: { GATEWAY_COMPAT_CORE_ID: JSON.stringify(createHash('sha256').update(coreText).digest('hex').slice(0, 16)) },
  // `env node`, no flags: busybox and older coreutils have no `env -S`. The V8 tuning a large
  // stream needs is applied in code (src/hosts/v8-tuning.ts).
  banner: { js: `#!/usr/bin/env node\n${notice}` },
});
chmodSync(path.join(root, 'bin/gateway-compat.mjs'), 0o755);

const metafiles = [cli.metafile, launcher.metafile];
if (!bundleOnly) {
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const library = await build({
    ...common,
    entryPoints: ['src/index.ts'],
    outdir: 'dist',
    banner: { js: notice },
  });
  metafiles.push(library.metafile);
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}

writeFileSync(path.join(root, 'THIRD_PARTY_NOTICES.md'), thirdPartyNotices(root, metafiles));
if (!bundleOnly && existsSync(path.join(root, 'helm-plugin/gateway-compat/plugin.yaml'))) copyIntoHelmPlugin(root);

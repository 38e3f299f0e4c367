// `gateway-compat patches`: what a run would change, as kustomize patches, for the hosts that run
// no post-renderer (Flux's helm-controller runs kustomize patches; Argo CD and plain kustomize
// build kustomizations).
//   --out DIR       DIR/kustomization.yaml: resources rendered.yaml (the input, byte for byte) and
//                   added.yaml (the objects the transform adds), one JSON 6902 patch per changed
//                   object in DIR/patches/; `kubectl kustomize DIR` builds the fixed stream
//   --format flux   a HelmRelease spec.postRenderers block with the same patches, on stdout
import path from 'node:path';
import { stringify } from 'yaml';
import { UsageError, UserError } from '../errors.js';
import { oneOf, parseSubcommandFlags } from '../export/flags.js';
import { describeObject, type Plain } from '../export/objects.js';
import { loadConfig } from '../config/load.js';
import { manifestStdin, readStdin } from '../input/stdin.js';
import type { Outcome } from '../hosts/outcome.js';
import { HEADER, safeFileName, writeOutDir } from './out-dir.js';
import { patchSet, type ObjectPatch, type PatchSet } from './patch-set.js';

export const PATCHES_USAGE = `Usage: gateway-compat patches --out DIR [options] < rendered.yaml
       gateway-compat patches --format flux [options] < rendered.yaml > post-renderers.yaml

Exports what gateway-compat would change in a rendered stream as kustomize patches, for the
hosts that run no post-renderer (Flux, Argo CD, plain kustomize, manifests kept in git):

  --out DIR          write DIR/kustomization.yaml with the input as its resource (rendered.yaml),
                     one JSON 6902 patch per changed object (patches/), and the added options
                     ConfigMaps (added.yaml); then: kubectl kustomize DIR. DIR must be new, empty,
                     or written by gateway-compat patches before (its old files are replaced).
  --format flux      print a HelmRelease spec.postRenderers block with the same patches instead
                     (Flux post-renderers cannot add objects: added ConfigMaps follow it as
                     separate documents, to commit beside the HelmRelease)
  and the configuration options of the post-renderer (--net-bind-service, --config FILE, ...).

Exit codes: 0 written, 1 bad input or a directory that is not ours (nothing written), 2 usage.
`;

const yamlText = (value: unknown): string => stringify(value, { version: '1.1', lineWidth: 0 });

function kustomizeTarget(patch: ObjectPatch): Plain {
  return { ...patch.target };
}

function patchFileName(index: number, patch: ObjectPatch): string {
  return `patches/${safeFileName(index, [patch.target.kind, patch.target.namespace ?? '', patch.target.name])}`;
}

function kustomizationFiles(set: PatchSet, input: string): Map<string, string> {
  const files = new Map<string, string>();
  const patches = set.patches.map((patch, index) => ({ path: patchFileName(index, patch), patch }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['rendered.yaml', ...(set.added.length > 0 ? ['added.yaml'] : [])],
    ...(patches.length > 0 ? { patches: patches.map(({ path: file, patch }) => ({ path: file, target: kustomizeTarget(patch) })) } : {}),
  };
  files.set(
    'kustomization.yaml',
    `${HEADER}: run it again after every render, do not edit.\n# kubectl kustomize . builds the fixed stream: rendered.yaml (the input as given) with the patches, plus added.yaml.\n${yamlText(kustomization)}`,
  );
  files.set('rendered.yaml', input);
  if (set.added.length > 0) files.set('added.yaml', set.added.map((object) => `---\n${yamlText(object)}`).join(''));
  for (const { path: file, patch } of patches) files.set(file, `# ${patch.describe}\n${yamlText(patch.ops)}`);
  return files;
}

function fluxBlock(set: PatchSet): string {
  const block = {
    postRenderers: [
      { kustomize: { patches: set.patches.map((patch) => ({ target: kustomizeTarget(patch), patch: yamlText(patch.ops) })) } },
    ],
  };
  const head = '# gateway-compat patches --format flux: paste under the spec of your HelmRelease (helm.toolkit.fluxcd.io/v2)\n';
  const added =
    set.added.length === 0
      ? ''
      : `${set.added
          .map(
            (object) =>
              `---\n# Flux post-renderers cannot add objects: commit this ${describeObject(object)} beside the HelmRelease\n${yamlText(object)}`,
          )
          .join('')}`;
  return `${head}${yamlText(block)}${added}`;
}

export async function runPatchesCommand(args: string[], cwd: string = process.cwd()): Promise<Outcome> {
  const { values: flags, positionals } = parseSubcommandFlags('patches', args, { out: { type: 'string' }, format: { type: 'string' } });
  if (flags.help) return { stdout: PATCHES_USAGE, stderr: '', exitCode: 0 };
  if (positionals.length > 0)
    throw new UsageError(`error: unexpected argument "${positionals[0]}": patches reads the render on stdin\n\n${PATCHES_USAGE}`);
  const format = oneOf('format', flags.format as string | undefined, ['kustomize', 'flux'] as const, 'kustomize');
  const out = flags.out as string | undefined;
  if (format === 'kustomize' && !out) throw new UsageError(`error: patches needs --out DIR (or --format flux)\n\n${PATCHES_USAGE}`);
  if (format === 'flux' && out) throw new UsageError('error: --format flux prints the block on stdout; leave out --out');
  const loaded = await loadConfig(flags);
  const input = await readStdin(manifestStdin(loaded.config.maxInputBytes));
  if (input.trim() === '') throw new UserError('error: the input is empty: pipe the rendered manifests into gateway-compat patches');
  const set = patchSet(input, loaded);
  const summary = `gateway-compat patches: ${set.patches.length} patched object${set.patches.length === 1 ? '' : 's'} (${set.changeCount} change${set.changeCount === 1 ? '' : 's'}), ${set.added.length} added`;
  const warnings = set.warnings.map((warning) => `warning ${warning}\n`).join('');
  if (format === 'flux') return { stdout: fluxBlock(set), stderr: `${warnings}${summary}\n`, exitCode: 0 };
  const dir = path.resolve(cwd, out as string);
  const written = await writeOutDir(dir, kustomizationFiles(set, input));
  return { stdout: '', stderr: `${warnings}${summary}; wrote ${written.length} files in ${dir}: kubectl kustomize ${out}\n`, exitCode: 0 };
}

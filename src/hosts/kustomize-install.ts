// `gateway-compat install-kustomize-plugin [DIR]`: lays out the legacy exec plugin kustomize looks
// for, DIR/gateway-compat.io/v1alpha1/gatewaycompat/GatewayCompat. kustomize wants a file named
// exactly like the kind, without extension, and Node would read such a file as CommonJS and
// silently do nothing with our ESM; so the plugin is a small shell script that execs this node
// and this CLI by absolute path. Re-run it after moving the package or changing Node versions.
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_API_VERSION, CONFIG_KIND } from '../config/config.js';
import { UsageError, UserError } from '../errors.js';
import { describeFsError } from '../input/text.js';
import type { Outcome } from './outcome.js';

export function defaultPluginHome(env: NodeJS.ProcessEnv): string {
  if (env.KUSTOMIZE_PLUGIN_HOME) return env.KUSTOMIZE_PLUGIN_HOME;
  const configHome = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(configHome, 'kustomize', 'plugin');
}

export function pluginFileIn(home: string): string {
  const [group, version] = CONFIG_API_VERSION.split('/') as [string, string];
  return path.join(home, group, version, CONFIG_KIND.toLowerCase(), CONFIG_KIND);
}

const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** The running CLI: this code is bundled into that one file (bin/gateway-compat.mjs). */
function launcherPath(): string {
  return realpathSync(fileURLToPath(import.meta.url));
}

export function pluginScript(node: string, launcher: string): string {
  return [
    '#!/bin/sh',
    '# kustomize legacy exec plugin for gateway-compat, written by `gateway-compat install-kustomize-plugin`.',
    '# kustomize runs it as: GatewayCompat <config file> [argsOneLiner words...]',
    `exec ${shellQuote(node)} ${shellQuote(launcher)} "$@"`,
    '',
  ].join('\n');
}

export const INSTALL_KUSTOMIZE_PLUGIN_USAGE = `Usage: gateway-compat install-kustomize-plugin [PLUGIN_HOME]

Lays out the kustomize legacy exec plugin PLUGIN_HOME/gateway-compat.io/v1alpha1/gatewaycompat/GatewayCompat,
a small shell script that runs this Node.js and this gateway-compat by absolute path (re-run it after
moving either). PLUGIN_HOME defaults to $KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin,
else ~/.config/kustomize/plugin. Then list a GatewayCompat object under transformers: and run
  kubectl kustomize --enable-alpha-plugins DIR

Options:
  -h, --help   show this help
`;

export async function installKustomizePlugin(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h'))
    return { stdout: INSTALL_KUSTOMIZE_PLUGIN_USAGE, stderr: '', exitCode: 0 };
  if (args.length > 1 || args.some((arg) => arg.startsWith('-'))) {
    throw new UsageError(
      `error: install-kustomize-plugin takes one optional PLUGIN_HOME and no options\n\n${INSTALL_KUSTOMIZE_PLUGIN_USAGE}`,
    );
  }
  const home = path.resolve(args[0] ?? defaultPluginHome(env));
  const file = pluginFileIn(home);
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, pluginScript(process.execPath, launcherPath()), { mode: 0o755, flag: 'wx' });
    await chmod(temporary, 0o755);
    await rename(temporary, file);
  } catch (error) {
    throw new UserError(`error: cannot install the kustomize plugin at ${file}: ${describeFsError(error)}`);
  }
  const usesDefault = args[0] === undefined && !env.KUSTOMIZE_PLUGIN_HOME;
  const stdout = [
    `installed ${file}`,
    '',
    'Use it from a kustomization:',
    '  # kustomization.yaml',
    '  resources: [gateway.yaml]',
    '  transformers: [gateway-compat.yaml]',
    '  # gateway-compat.yaml',
    `  apiVersion: ${CONFIG_API_VERSION}`,
    `  kind: ${CONFIG_KIND}`,
    '  metadata: {name: gateway-compat}',
    '  spec: {netBindService: true}',
    '',
    `  ${usesDefault ? '' : `KUSTOMIZE_PLUGIN_HOME=${shellQuote(home)} `}kubectl kustomize --enable-alpha-plugins DIR`,
    '',
  ].join('\n');
  return { stdout, stderr: '', exitCode: 0 };
}

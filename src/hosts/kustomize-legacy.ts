// The kustomize legacy exec plugin host (`kubectl kustomize --enable-alpha-plugins`, kustomize
// build --enable-alpha-plugins). kustomize runs <plugin home>/gateway-compat.io/v1alpha1/
// gatewaycompat/GatewayCompat with argv = [config file, ...argsOneLiner words]; the config file
// holds the GatewayCompat object listed under `transformers:` (keys re-sorted by kustomize).
// stdin and stdout are plain manifest streams; stdout replaces the whole resource set, and the
// transform keeps every annotation (kustomize.config.k8s.io/id included).
import { readFile, stat } from 'node:fs/promises';
import { CONFIG_KIND } from '../config/config.js';
import { parseConfigText } from '../config/file.js';
import { readTextFile } from '../input/text.js';
import type { ConfigSpec } from '../config/config.js';
import { KUSTOMIZE_CONFIG_ENV } from './kustomize-env.js';

const GATEWAY_COMPAT_KIND = new RegExp(`^["']?kind["']?\\s*:\\s*["']?${CONFIG_KIND}["']?\\s*(#.*)?$`, 'm');

/**
 * Whether this call is kustomize running us as a legacy exec plugin: one positional argument,
 * and either kustomize's environment variable is set or the argument is a readable file holding
 * a GatewayCompat object. Anything else with a positional argument is a usage error.
 */
export async function isKustomizePluginCall(positionals: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  if (positionals.length !== 1) return false;
  if (env[KUSTOMIZE_CONFIG_ENV] !== undefined) return true;
  const file = positionals[0] as string;
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > 1024 ** 2) return false;
    return GATEWAY_COMPAT_KIND.test(await readFile(file, 'utf8'));
  } catch {
    return false;
  }
}

/** The plugin config kustomize hands over: the host's layer of the configuration (the CLI then runs the stream host). */
export async function readPluginConfig(configFile: string): Promise<ConfigSpec> {
  const source = `kustomize plugin config ${configFile}`;
  return parseConfigText(await readTextFile(configFile, 'the kustomize plugin config'), source);
}

// Helm keeps caches, repositories and plugins under folders of the user's: a test gives Helm its
// own under a scratch folder, so that it neither reads nor changes the user's Helm.
import path from 'node:path';

/** `base` with Helm's cache, config, data and plugin folders moved under `home`. */
export function helmHomeEnv(home: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    HELM_PLUGINS: path.join(home, 'data', 'plugins'),
  };
}

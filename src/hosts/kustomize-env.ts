// The environment kustomize sets for an exec plugin, apart from the plugin host itself: host
// detection reads it on every --check/--write run, which must not load the plugin host's modules.

/** Set by kustomize for exec plugins: the plugin's config object as YAML. */
export const KUSTOMIZE_CONFIG_ENV = 'KUSTOMIZE_PLUGIN_CONFIG_STRING';

// Helm 4 starts this file with node (see plugin.yaml). `helm plugin install <dir>` links this
// folder into Helm's plugin directory, and Node resolves a main script's symlinks, so
// import.meta.url is the real location and the CLI is found beside this folder.
await import('../bin/post-render');

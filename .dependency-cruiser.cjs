// The direction of the house (README, Architecture): each stage imports only from stages below it.
// `npm run lint` runs this with dependency-cruiser; CI runs `npm run lint` (.ci/run).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module reaches itself through its imports (type-only imports do not count: they are erased).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'warnings-not-rules',
      severity: 'error',
      comment: 'Warnings and rules never import each other: what both need lives in src/kube/.',
      from: { path: '^src/warnings/' },
      to: { path: '^src/rules/' },
    },
    {
      name: 'rules-not-warnings',
      severity: 'error',
      comment: 'Warnings and rules never import each other: what both need lives in src/kube/.',
      from: { path: '^src/rules/' },
      to: { path: '^src/warnings/' },
    },
    {
      name: 'kube-below-rules-and-warnings',
      severity: 'error',
      comment: 'src/kube/ is the Kubernetes and Istio knowledge below rules and warnings: it imports neither, nor any host.',
      from: { path: '^src/kube/' },
      to: { path: '^src/(rules|warnings|hosts|transform)' },
    },
    {
      name: 'yaml-knows-no-kubernetes',
      severity: 'error',
      comment: 'Reading and patching YAML text needs no Kubernetes word.',
      from: { path: '^src/(edit|yaml)/' },
      to: { path: '^src/(kube|rules|warnings|hosts|transform)' },
    },
    {
      name: 'core-not-hosts',
      severity: 'error',
      comment: 'The transform and its stages know no host: hosts call the core, never the other way.',
      from: { path: '^src/(transform|rules|warnings|kube|edit|yaml|stream|parse|emit|report)' },
      to: { path: '^src/(hosts|cli)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/generated/' },
  },
};

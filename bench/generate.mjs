#!/usr/bin/env node
// Seeded generator of realistic `helm template` output of an umbrella chart, used as benchmark input.
//
//   node bench/generate.mjs --size 10MB --seed 1 [--mode helm|flow|json] > file
//
// Same seed and size -> identical bytes (own PRNG, no Date, no Math.random), so numbers measured on two
// machines or two commits are about the same input. Sizes are binary: 1MB = 2^20 bytes. The stream stops at
// the first document boundary at or past the target size.
//
// Shape: releases ("units") of an umbrella chart `platform`, each rendered from a subchart
// (`platform/charts/<sub>/templates/<file>.yaml`), then ordered by kind like Helm's install order does.
// About 5% of the documents are Istio gateway Deployments modelled on the gateway chart render
// (corpus istio/rendered-helm/1.27.0/gateway-deployment.golden.yaml): pod sysctl
// net.ipv4.ip_unprivileged_port_start, istio-proxy container, `inject.istio.io/templates: gateway`.
// Most bytes sit in ConfigMaps with block-scalar payloads of tens of KB and in base64 Secrets, as in
// real umbrella charts; most documents are small.
//
// Mode `flow` (--mode flow): the other stream users really render, from hand-written charts of many
// small services: about 590 bytes a document over 40 namespaces, flow-style collections where such
// charts use them (Gateways with `listeners: [{...}]`, HTTPRoutes with `parentRefs: [{...}]`, Services
// with `ports: [{...}]`, Roles with `verbs: [...]`), and a few gateway Deployments with the sysctl.
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

// Bump when the output for a given seed/size changes, so stale files in bench/out/ are not reused.
export const GENERATOR_VERSION = 2;
export const OUT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

const UNITS = { KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };

/** "10MB" -> 10485760; plain numbers are bytes. */
export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|B)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`bad size: ${text} (use e.g. 256KB, 10MB)`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? 'B').toUpperCase()] ?? 1));
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRandom(seed) {
  const next = mulberry32(seed);
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    word: () => r.pick(WORDS),
    hex: (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join(''),
    base64: (nBytes) => {
      const bytes = Buffer.allocUnsafe(nBytes);
      for (let i = 0; i < nBytes; i++) bytes[i] = Math.floor(next() * 256);
      return bytes.toString('base64');
    },
  };
  return r;
}

const WORDS = (
  'alpha billing catalog checkout edge fraud inventory ledger media notify orders payments ' +
  'pricing profile quota ranking search session shipping stock tenant upload users vault audit cart ' +
  'feed geo image invoice mail metrics portal report review risk rules sync token wallet'
).split(' ');
const NAMESPACES = ['apps', 'payments', 'storefront', 'data', 'platform', 'istio-ingress', 'partners'];
const VERSION = '1.27.0';

const istioLabels = (name, indent) =>
  [
    `app.kubernetes.io/name: ${name}`,
    'app.kubernetes.io/managed-by: "Helm"',
    `app.kubernetes.io/instance: "${name}"`,
    'app.kubernetes.io/part-of: "istio"',
    `app.kubernetes.io/version: "${VERSION}"`,
    `helm.sh/chart: gateway-${VERSION}`,
  ]
    .map((l) => ' '.repeat(indent) + l)
    .join('\n');

// --- one function per document kind; each returns { kind, source, text } -------------------------

function gatewayDeployment(r, u) {
  const n = u.name;
  const istio = n.replace(/^istio-/, '');
  return {
    kind: 'Deployment',
    source: `${u.chart}/templates/deployment.yaml`,
    text: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n}
  namespace: ${u.ns}
  labels:
${istioLabels(n, 4)}
    app: ${n}
    istio: ${istio}
    "istio.io/dataplane-mode": "none"
  annotations:
    {}
spec:
  replicas: ${r.int(2, 6)}
  selector:
    matchLabels:
      app: ${n}
      istio: ${istio}
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
        prometheus.io/path: /stats/prometheus
        prometheus.io/port: "15020"
        prometheus.io/scrape: "true"
        sidecar.istio.io/inject: "true"
      labels:
        sidecar.istio.io/inject: "true"
        app: ${n}
        istio: ${istio}
${istioLabels(n, 8)}
        "istio.io/dataplane-mode": "none"
    spec:
      serviceAccountName: ${n}
      securityContext:
        # Safe since 1.22: https://github.com/kubernetes/kubernetes/pull/103326
        sysctls:
        - name: net.ipv4.ip_unprivileged_port_start
          value: "0"
      containers:
        - name: istio-proxy
          # "auto" will be populated at runtime by the mutating webhook. See https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#customizing-injection
          image: auto
          securityContext:
            capabilities:
              drop:
              - ALL
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            runAsUser: 1337
            runAsGroup: 1337
            runAsNonRoot: true
          env:
          ports:
          - containerPort: 15090
            protocol: TCP
            name: http-envoy-prom
          resources:
            limits:
              cpu: ${r.pick([1000, 2000, 4000])}m
              memory: ${r.pick([512, 1024, 2048])}Mi
            requests:
              cpu: 100m
              memory: 128Mi
      terminationGracePeriodSeconds: 30
`,
  };
}

function gatewayService(r, u) {
  const istio = u.name.replace(/^istio-/, '');
  return {
    kind: 'Service',
    source: `${u.chart}/templates/service.yaml`,
    text: `apiVersion: v1
kind: Service
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${istioLabels(u.name, 4)}
    app: ${u.name}
    istio: ${istio}
  annotations:
    {}
spec:
  type: LoadBalancer
  ports:
    - name: status-port
      port: 15021
      protocol: TCP
      targetPort: 15021
    - name: http2
      port: 80
      protocol: TCP
      targetPort: 80
    - name: https
      port: 443
      protocol: TCP
      targetPort: 443
  selector:
    app: ${u.name}
    istio: ${istio}
`,
  };
}

function gatewayRole(u) {
  return {
    kind: 'Role',
    source: `${u.chart}/templates/role.yaml`,
    text: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${istioLabels(u.name, 4)}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "watch", "list"]
`,
  };
}

function serviceAccount(u, labels = `    app.kubernetes.io/name: ${u.name}\n    app.kubernetes.io/instance: ${u.release}`) {
  return {
    kind: 'ServiceAccount',
    source: `${u.chart}/templates/serviceaccount.yaml`,
    text: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${labels}
`,
  };
}

const appLabels = (u, indent) =>
  [
    `app.kubernetes.io/name: ${u.name}`,
    `app.kubernetes.io/instance: ${u.release}`,
    `app.kubernetes.io/version: "${u.version}"`,
    'app.kubernetes.io/managed-by: Helm',
    `helm.sh/chart: ${u.sub}-${u.version}`,
  ]
    .map((l) => ' '.repeat(indent) + l)
    .join('\n');

function appDeployment(r, u) {
  const env = Array.from(
    { length: r.int(3, 12) },
    (_, i) =>
      `            - name: ${r.word().toUpperCase()}_${['URL', 'TIMEOUT', 'POOL_SIZE', 'LEVEL', 'ENABLED'][i % 5]}_${i}\n` +
      `              value: "${r.pick([`http://${r.word()}.${u.ns}.svc:8080`, String(r.int(1, 500)), 'true', 'info'])}"`,
  ).join('\n');
  // A few apps tune an unrelated, namespaced sysctl: the post-renderer must leave those alone.
  const podSecurity = r.chance(0.05)
    ? '        runAsNonRoot: true\n        sysctls:\n          - name: net.core.somaxconn\n            value: "1024"'
    : '        runAsNonRoot: true\n        fsGroup: 2000';
  return {
    kind: 'Deployment',
    source: `${u.chart}/templates/deployment.yaml`,
    text: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${appLabels(u, 4)}
spec:
  replicas: ${r.int(1, 5)}
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/name: ${u.name}
      app.kubernetes.io/instance: ${u.release}
  template:
    metadata:
      annotations:
        checksum/config: ${r.hex(64)}
        sidecar.istio.io/inject: "${r.chance(0.8)}"
      labels:
${appLabels(u, 8)}
    spec:
      serviceAccountName: ${u.name}
      securityContext:
${podSecurity}
      containers:
        - name: ${u.sub}
          image: "registry.example.com/${u.sub}/${u.name}:${u.version}"
          imagePullPolicy: IfNotPresent
          args: ["--config", "/etc/${u.sub}/config.yaml", "--port", "8080"]
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
${env}
          envFrom:
            - secretRef:
                name: ${u.name}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: ${r.int(5, 30)}
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          resources:
            limits:
              cpu: ${r.int(1, 8) * 250}m
              memory: ${r.int(1, 16) * 128}Mi
            requests:
              cpu: ${r.int(1, 4) * 50}m
              memory: ${r.int(1, 8) * 64}Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: config
              mountPath: /etc/${u.sub}
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: ${u.name}
`,
  };
}

function appService(r, u) {
  return {
    kind: 'Service',
    source: `${u.chart}/templates/service.yaml`,
    text: `apiVersion: v1
kind: Service
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${appLabels(u, 4)}
spec:
  type: ClusterIP
  ports:
    - port: ${r.pick([80, 8080, 9090])}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: ${u.name}
    app.kubernetes.io/instance: ${u.release}
`,
  };
}

// Payloads of tens of KB as block scalars: the bytes a post-renderer must carry through untouched.
function payload(r, kind) {
  const lines = [];
  const target = r.int(10, 60) * 1024;
  let size = 0;
  while (size < target) {
    let line;
    if (kind === 'properties') {
      line = `${r.word()}.${r.word()}.${r.word()}.${r.int(0, 999)} = ${r.pick([r.hex(r.int(8, 40)), String(r.int(0, 1e6)), `https://${r.word()}.example.com/${r.word()}`, 'true'])}`;
    } else if (kind === 'json') {
      line = `  {"id": ${r.int(1, 1e5)}, "title": "${r.word()} ${r.word()}", "expr": "sum(rate(${r.word()}_requests_total{code=~\\"5..\\"}[5m]))", "gridPos": {"h": ${r.int(4, 12)}, "w": ${r.int(6, 24)}}},`;
    } else {
      line = `location /${r.word()}/${r.word()} { proxy_pass http://${r.word()}:${r.int(8000, 9000)}; proxy_read_timeout ${r.int(5, 300)}s; }`;
    }
    lines.push(line);
    size += line.length + 5;
  }
  return lines;
}

function configMap(r, u) {
  const big = r.chance(0.4);
  let data;
  if (big) {
    const kind = r.pick(['properties', 'json', 'nginx']);
    const file = { properties: 'application.properties', json: 'dashboard.json', nginx: 'nginx.conf' }[kind];
    data =
      `  ${file}: |\n` +
      payload(r, kind)
        .map((l) => `    ${l}`)
        .join('\n') +
      '\n';
  } else {
    data = Array.from({ length: r.int(2, 10) }, (_, i) => `  ${r.word()}_${r.word()}_${i}: "${r.hex(r.int(4, 24))}"`).join('\n') + '\n';
  }
  data += `  config.yaml: |\n    server:\n      port: 8080\n    log:\n      level: ${r.pick(['info', 'debug', 'warn'])}\n`;
  return {
    kind: 'ConfigMap',
    source: `${u.chart}/templates/configmap.yaml`,
    text: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${appLabels(u, 4)}
data:
${data}`,
  };
}

function secret(r, u) {
  const keys = Array.from({ length: r.int(1, 6) }, (_, i) => `  ${r.word()}-${i}: ${r.base64(r.int(12, 3000))}`);
  return {
    kind: 'Secret',
    source: `${u.chart}/templates/secret.yaml`,
    text: `apiVersion: v1
kind: Secret
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${appLabels(u, 4)}
type: Opaque
data:
${keys.join('\n')}
`,
  };
}

function gatewayApiGateway(r, u) {
  // Mostly class istio (gateway-compat adds an options ConfigMap for those); some other class as a negative case.
  const cls = r.chance(0.9) ? 'istio' : 'cilium';
  return {
    kind: 'Gateway',
    source: `${u.chart}/templates/gateway.yaml`,
    text: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${appLabels(u, 4)}
spec:
  gatewayClassName: ${cls}
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    hostname: "*.${u.name}.example.com"
    allowedRoutes:
      namespaces:
        from: All
  - name: https
    port: 443
    protocol: HTTPS
    hostname: "*.${u.name}.example.com"
    tls:
      mode: Terminate
      certificateRefs:
      - name: ${u.name}-tls
    allowedRoutes:
      namespaces:
        from: All
`,
  };
}

function httpRoute(r, u, gateway) {
  const rules = Array.from(
    { length: r.int(1, 4) },
    () => `  - matches:
    - path:
        type: PathPrefix
        value: /${r.word()}/${r.word()}
    backendRefs:
    - name: ${u.name}
      port: 8080
      weight: ${r.int(1, 100)}`,
  ).join('\n');
  return {
    kind: 'HTTPRoute',
    source: `${u.chart}/templates/httproute.yaml`,
    text: `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${u.name}
  namespace: ${u.ns}
  labels:
${appLabels(u, 4)}
spec:
  parentRefs:
  - name: ${gateway.name}
    namespace: ${gateway.ns}
    sectionName: https
  hostnames:
  - "${r.word()}.${gateway.name}.example.com"
  rules:
${rules}
`,
  };
}

// --- mode `flow`: many small documents in flow style over 40 namespaces ---------------------------

export const FLOW_NAMESPACES = Array.from({ length: 40 }, (_, i) => `${WORDS[i % WORDS.length]}-${String(i + 1).padStart(2, '0')}`);

/** A flow-mode document: `# Source` template file, then apiVersion, kind and metadata (labels as given). */
function flowDoc(u, apiVersion, kind, file, { name = u.name, labels = `  labels:\n${appLabels(u, 4)}`, body }) {
  return {
    kind,
    source: `${u.chart}/templates/${file}`,
    text: `apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${u.ns}
${labels ? `${labels}\n` : ''}${body}`,
  };
}

function flowGateway(r, u) {
  const cls = r.chance(0.9) ? 'istio' : 'cilium';
  const host = `"*.${u.name}.example.com"`;
  return flowDoc(u, 'gateway.networking.k8s.io/v1', 'Gateway', 'gateway.yaml', {
    labels: `  labels: {app.kubernetes.io/name: ${u.name}, app.kubernetes.io/managed-by: Helm}`,
    body: `spec:
  gatewayClassName: ${cls}
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: ${host}, allowedRoutes: {namespaces: {from: All}}}, {name: https, port: 443, protocol: HTTPS, hostname: ${host}, tls: {mode: Terminate, certificateRefs: [{name: ${u.name}-tls}]}}]
`,
  });
}

// Part of the routes (about a fifth) name their Gateway by group and kind as well, as the Gateway API examples do: such a
// route mentions every word a Gateway does (no draw decides it, so the rest of the stream stays as it was).
function flowRoute(r, u, gateway) {
  const matches = Array.from({ length: r.int(1, 2) }, () => `{path: {type: PathPrefix, value: /${r.word()}}}`).join(', ');
  return flowDoc(u, 'gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproute.yaml', {
    body: `spec:
  parentRefs: [{${gateway.name.length % 2 ? 'group: gateway.networking.k8s.io, kind: Gateway, ' : ''}name: ${gateway.name}, namespace: ${gateway.ns}, sectionName: ${r.pick(['http', 'https'])}}]
  hostnames: ["${r.word()}.${gateway.name}.example.com"]
  rules:
  - matches: [${matches}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-team, value: ${u.ns}}]}}]
    backendRefs: [{name: ${u.name}, port: 8080}]
`,
  });
}

function flowService(r, u) {
  return flowDoc(u, 'v1', 'Service', 'service.yaml', {
    body: `  annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}
spec:
  type: ClusterIP
  ports: [{name: http, port: ${r.pick([80, 8080])}, targetPort: 8080, protocol: TCP}]
  selector: {app.kubernetes.io/name: ${u.name}, app.kubernetes.io/instance: ${u.release}}
`,
  });
}

function flowConfigMap(r, u) {
  const data = Array.from(
    { length: r.int(2, 6) },
    (_, i) => `  ${r.word().toUpperCase()}_${i}: "${r.pick([r.hex(r.int(4, 16)), String(r.int(1, 900)), 'true'])}"`,
  ).join('\n');
  return flowDoc(u, 'v1', 'ConfigMap', 'configmap.yaml', {
    name: `${u.name}-env`,
    body: `data:
${data}
`,
  });
}

function flowRole(u) {
  return flowDoc(u, 'rbac.authorization.k8s.io/v1', 'Role', 'rbac.yaml', {
    labels: '',
    body: `rules:
- {apiGroups: [""], resources: [configmaps, secrets], verbs: [get, list, watch]}
`,
  });
}

function flowDeployment(r, u) {
  return flowDoc(u, 'apps/v1', 'Deployment', 'deployment.yaml', {
    body: `spec:
  replicas: ${r.int(1, 4)}
  selector:
    matchLabels: {app.kubernetes.io/name: ${u.name}, app.kubernetes.io/instance: ${u.release}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: ${u.name}, app.kubernetes.io/instance: ${u.release}}
    spec:
      serviceAccountName: ${u.name}
      containers:
      - name: app
        image: "registry.example.com/${u.sub}:${r.int(1, 9)}.${r.int(0, 20)}"
        args: ["--port", "8080"]
        ports: [{name: http, containerPort: 8080}]
        envFrom: [{configMapRef: {name: ${u.name}-env}}]
        resources: {requests: {cpu: ${r.int(1, 4) * 50}m, memory: ${r.int(1, 8) * 64}Mi}}
`,
  });
}

// The gateway chart's Deployment, as a flow-style chart writes it (sysctls: [{...}]).
function flowGatewayDeployment(r, u) {
  const istio = u.name.replace(/^istio-/, '');
  return flowDoc(u, 'apps/v1', 'Deployment', 'deployment.yaml', {
    labels: `  labels: {app: ${u.name}, istio: ${istio}}`,
    body: `spec:
  selector:
    matchLabels: {app: ${u.name}, istio: ${istio}}
  template:
    metadata:
      annotations: {inject.istio.io/templates: gateway, sidecar.istio.io/inject: "true"}
      labels: {app: ${u.name}, istio: ${istio}, sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: ${u.name}
      securityContext:
        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]
      containers:
      - name: istio-proxy
        image: auto
        ports: [{containerPort: 15090, protocol: TCP, name: http-envoy-prom}]
        securityContext: {runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, capabilities: {drop: [ALL]}}
`,
  });
}

function flowGatewayService(r, u) {
  const istio = u.name.replace(/^istio-/, '');
  return flowDoc(u, 'v1', 'Service', 'service.yaml', {
    labels: `  labels: {app: ${u.name}, istio: ${istio}}`,
    body: `spec:
  type: LoadBalancer
  ports: [{name: status-port, port: 15021, targetPort: 15021}, {name: http2, port: 80, targetPort: 80}, {name: https, port: 443, targetPort: 443}]
  selector: {app: ${u.name}, istio: ${istio}}
`,
  });
}

/** Documents of one small service (or, for 2% of units, one gateway) of the flow-mode stream. */
function* flowUnitDocs(r, i, state) {
  const ns = FLOW_NAMESPACES[i % FLOW_NAMESPACES.length];
  const sub = r.word();
  if (i > 0 && r.chance(0.02)) {
    const u = { name: `istio-${r.pick(['ingress', 'egress'])}-${i}`, ns, chart: `apps/charts/gateway-${i}`, release: 'apps' };
    yield serviceAccount(u, `    app: ${u.name}`);
    yield flowGatewayService(r, u);
    yield flowGatewayDeployment(r, u);
    return;
  }
  const u = {
    name: `${sub}-${r.word()}-${i}`,
    sub,
    ns,
    chart: `apps/charts/${sub}`,
    release: 'apps',
    version: `${r.int(0, 4)}.${r.int(0, 30)}.${r.int(0, 9)}`,
  };
  // One Gateway every 8 units: a team's ingress; routes attach to a Gateway of any namespace.
  if (i % 8 === 0) {
    yield flowGateway(r, u);
    state.gateways.push({ name: u.name, ns });
  }
  yield serviceAccount(u, appLabels(u, 4));
  if (r.chance(0.4)) yield flowRole(u);
  yield flowConfigMap(r, u);
  yield flowService(r, u);
  if (r.chance(0.5)) yield flowDeployment(r, u);
  yield flowRoute(r, u, r.pick(state.gateways));
  if (r.chance(0.5)) yield flowRoute(r, { ...u, name: `${u.name}-${r.word()}` }, r.pick(state.gateways));
}

// Helm's install order (pkg/releaseutil/kind_sorter.go), the kinds we emit; unknown kinds (Gateway API) go last.
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Role', 'RoleBinding', 'Service', 'Deployment'];
const kindRank = (kind) => {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
};

/** Documents of one release. Unit index makes every (kind, namespace, name) unique, as kustomize requires. */
function* unitDocs(r, i, state) {
  // 28% of units are gateways (5 docs incl. 1 gateway Deployment); app units add ~5.8 docs:
  // 0.28 / (0.28*5 + 0.72*5.8) ~= 5% of documents are gateway Deployments. Unit 1 always is one, so even
  // the tiny --quick input has a gateway to edit; unit 0 is an app unit, which defines the first Gateway.
  if (i === 1 || (i > 1 && r.chance(0.28))) {
    const name = `istio-${r.pick(['ingress', 'egress', 'eastwest', 'ingress-internal'])}-${i}`;
    const u = { name, ns: r.chance(0.7) ? 'istio-ingress' : r.pick(NAMESPACES), chart: `platform/charts/${name}`, release: 'platform' };
    yield serviceAccount(u, istioLabels(name, 4));
    yield gatewayRole(u);
    yield {
      kind: 'RoleBinding',
      source: `${u.chart}/templates/role.yaml`,
      text: `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}
  namespace: ${u.ns}
  labels:
${istioLabels(name, 4)}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${name}
subjects:
- kind: ServiceAccount
  name: ${name}
`,
    };
    yield gatewayService(r, u);
    yield gatewayDeployment(r, u);
    return;
  }
  const sub = r.word();
  const u = {
    name: `${sub}-${r.word()}-${i}`,
    sub,
    ns: r.pick(NAMESPACES),
    chart: `platform/charts/${sub}`,
    release: 'platform',
    version: `${r.int(0, 4)}.${r.int(0, 30)}.${r.int(0, 9)}`,
  };
  if (i % 10 === 0 || !state.gateways.length) {
    const g = gatewayApiGateway(r, u);
    state.gateways.push({ name: u.name, ns: u.ns });
    yield g;
  }
  yield serviceAccount(u);
  yield secret(r, u);
  yield configMap(r, u);
  yield appService(r, u);
  yield appDeployment(r, u);
  if (r.chance(0.7)) yield httpRoute(r, u, r.pick(state.gateways));
}

export const MODES = ['helm', 'flow', 'json'];

/**
 * Mode `json`: the documents of a helm-mode stream as one `kubectl get deploy,svc,cm,secret -A -o json`
 * List (`{"apiVersion": "v1", "items": [...], "kind": "List", "metadata": {...}}`), indented with 4
 * spaces as kubectl prints it (`indent` 2 or 0 give the other forms users feed in). The helm stream is
 * sized so the JSON reaches about `targetBytes`.
 */
function jsonList(targetBytes, seed, indent) {
  const convert = (yamlTarget) => {
    const { bytes, gatewayDeployments } = generate(yamlTarget, seed, 'helm');
    const items = parseAllDocuments(bytes.toString('utf8')).map((doc) => doc.toJS());
    const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
    return { text: `${JSON.stringify(list, null, indent)}\n`, documents: items.length, gatewayDeployments, yamlBytes: bytes.length };
  };
  const first = convert(targetBytes);
  const sized = convert(Math.ceil((targetBytes * first.yamlBytes) / first.text.length));
  return { bytes: Buffer.from(sized.text, 'utf8'), documents: sized.documents, gatewayDeployments: sized.gatewayDeployments };
}

/**
 * Generates a stream of at least `targetBytes` (ending at a document boundary), in mode 'helm' (an
 * umbrella chart, the default) or 'flow' (many small documents, flow collections, 40 namespaces).
 * Returns a Buffer plus counts so callers and tests can check the mix.
 */
export function generate(targetBytes, seed = 1, mode = 'helm') {
  if (!MODES.includes(mode)) throw new Error(`bad mode: ${mode} (use ${MODES.join(' or ')})`);
  if (mode === 'json') return jsonList(targetBytes, seed, 4);
  const r = makeRandom(seed);
  const state = { gateways: [] };
  const docs = [];
  let size = 0;
  const units = mode === 'flow' ? flowUnitDocs : unitDocs;
  // `---\n# Source: <source>\n` is 15 bytes besides the source; the helm mode keeps its first estimate
  // (one byte more a document) so its streams stay the bytes every earlier measurement was made on.
  const overhead = mode === 'flow' ? 15 : 16;
  for (let i = 0; size < targetBytes; i++) {
    for (const d of units(r, i, state)) {
      d.order = docs.length;
      docs.push(d);
      size += d.text.length + d.source.length + overhead;
    }
  }
  docs.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.order - b.order);
  const text = docs.map((d) => `---\n# Source: ${d.source}\n${d.text}`).join('');
  const gatewayDeployments = docs.filter((d) => d.kind === 'Deployment' && d.text.includes('ip_unprivileged_port_start')).length;
  return { bytes: Buffer.from(text, 'utf8'), documents: docs.length, gatewayDeployments };
}

/**
 * The cached stream for a size/seed/mode, generated when missing: { file, documents, gatewayDeployments }.
 * Written to a temp name and renamed, so an interrupted run never leaves a truncated file to reuse.
 */
export function ensureStream(targetBytes, seed = 1, label = `${targetBytes}B`, mode = 'helm') {
  const prefix = mode === 'helm' ? 'stream' : `stream-${mode}`;
  const file = path.join(OUT_DIR, `${prefix}-${label}-seed${seed}-v${GENERATOR_VERSION}.${mode === 'json' ? 'json' : 'yaml'}`);
  const meta = `${file}.json`;
  if (!existsSync(file) || !existsSync(meta)) {
    mkdirSync(OUT_DIR, { recursive: true });
    const { bytes, documents, gatewayDeployments } = generate(targetBytes, seed, mode);
    writeFileSync(`${file}.tmp`, bytes);
    writeFileSync(meta, JSON.stringify({ documents, gatewayDeployments }));
    renameSync(`${file}.tmp`, file);
  }
  return { file, ...JSON.parse(readFileSync(meta, 'utf8')) };
}

/**
 * `count` files holding the documents of `stream` in order, split at document boundaries (a monorepo of
 * manifests under pre-commit): concatenated they are the stream's bytes. Cached like the streams.
 */
export function ensureFiles(stream, count) {
  const dir = path.join(OUT_DIR, `files-${count}-${path.basename(stream, '.yaml')}`);
  const done = path.join(dir, '.complete');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const text = readFileSync(stream, 'utf8');
    const starts = [...text.matchAll(/^---\n/gm)].map((m) => m.index);
    if (starts.length < count) throw new Error(`${stream} has ${starts.length} documents, fewer than ${count} files`);
    for (let i = 0; i < count; i++) {
      const from = starts[Math.floor((i * starts.length) / count)];
      const to = i + 1 < count ? starts[Math.floor(((i + 1) * starts.length) / count)] : text.length;
      writeFileSync(path.join(dir, `${String(i).padStart(4, '0')}.yaml`), text.slice(from, to));
    }
    writeFileSync(done, '');
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

// CLI: print the stream (from bench/out/ when already generated).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1MB' },
      seed: { type: 'string', default: '1' },
      mode: { type: 'string', default: 'helm' },
    },
  });
  const label = values.size.toUpperCase().replace(/\s+/g, '');
  const { file } = ensureStream(parseSize(values.size), Number(values.seed), label, values.mode);
  createReadStream(file).pipe(process.stdout);
}

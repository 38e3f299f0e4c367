// The manifests tests build: gateway Deployments, Services, Gateways and Istio resources, written
// as text so that every byte is under the test's control. One builder per kind, with options for
// the variants tests need, instead of copies in each test file.
export const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

export interface GatewayDeploymentOptions {
  name?: string;
  /** default istio-system; null leaves the namespace out */
  namespace?: string | null;
  /** a `# comment` line before the document */
  comment?: string;
  /** spec.selector.matchLabels (app: <name>), as the gateway chart writes it; default true */
  selector?: boolean;
  /** the pod template's inject.istio.io/templates: gateway (an injected gateway); default true */
  injected?: boolean;
  /** the pod template's labels, default app: <name>; null leaves them out */
  labels?: Record<string, string> | null;
  /** label values in double quotes */
  quoteLabels?: boolean;
  /** the pod's sysctl the tool removes; default true */
  sysctl?: boolean;
  /** istio-proxy's args, e.g. `[proxy, router]` for a gateway rendered whole rather than injected */
  proxyArgs?: string;
  /** istio-proxy's securityContext.runAsUser */
  runAsUser?: number;
  /** istio-proxy's containerPorts; default [8080] */
  ports?: readonly number[];
}

/**
 * A gateway Deployment as the gateway chart renders it: the sysctl a rule removes, istio-proxy.
 * `gatewayDeployment(name, namespace)` or `gatewayDeployment({ ...options })`.
 */
export function gatewayDeployment(nameOrOptions: string | GatewayDeploymentOptions = {}, namespace = 'istio-system'): string {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions, namespace } : nameOrOptions;
  const { name = 'istio-ingressgateway', selector = true, injected = true, sysctl = true, ports = [8080] } = options;
  const ns = options.namespace === undefined ? 'istio-system' : options.namespace;
  const labels = options.labels === undefined ? { app: name } : options.labels;
  const value = (text: string): string => (options.quoteLabels ? `"${text}"` : text);
  return lines(
    options.comment !== undefined && `# ${options.comment}`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ns !== null && `  namespace: ${ns}`,
    'spec:',
    selector && `  selector:\n    matchLabels:\n      app: ${name}`,
    '  template:',
    (injected || labels !== null) && '    metadata:',
    injected && '      annotations:\n        inject.istio.io/templates: gateway',
    labels !== null && ['      labels:', ...Object.entries(labels).map(([key, text]) => `        ${key}: ${value(text)}`)].join('\n'),
    '    spec:',
    sysctl && `      securityContext:\n        sysctls:\n        - name: ${SYSCTL}\n          value: "0"`,
    '      containers:',
    '      - name: istio-proxy',
    '        image: auto',
    options.proxyArgs !== undefined && `        args: ${options.proxyArgs}`,
    options.runAsUser !== undefined && `        securityContext:\n          runAsUser: ${options.runAsUser}`,
    ports.length > 0 && ['        ports:', ...ports.map((port) => `        - containerPort: ${port}`)].join('\n'),
  );
}

/** The same Deployment after the tool: what the sysctls rule must produce. */
export function gatewayDeploymentFixed(name = 'istio-ingressgateway', namespace = 'istio-system'): string {
  return gatewayDeployment(name, namespace)
    .replace(`        sysctls:\n        - name: ${SYSCTL}\n          value: "0"\n`, '')
    .replace('securityContext:\n', 'securityContext: {}\n');
}

export function configMap(name: string, value = 'plain'): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  key: ${value}
`;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}

export interface ServiceOptions {
  name?: string;
  /** default none */
  namespace?: string;
  /** default app: <name>; null leaves the selector out */
  selector?: Record<string, string> | null;
  /** selector values in double quotes */
  quoteSelector?: boolean;
  /** default http 80 -> 8080 */
  ports?: readonly ServicePort[];
}

/** A Service; by default the one in front of gatewayDeployment(). */
export function service(nameOrOptions: string | ServiceOptions = {}): string {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  const { name = 'istio-ingressgateway', ports = [{ name: 'http', port: 80, targetPort: 8080 }] } = options;
  const selector = options.selector === undefined ? { app: name } : options.selector;
  const value = (text: string): string => (options.quoteSelector ? `"${text}"` : text);
  const port = ({ name: portName, port: number, targetPort }: ServicePort): string =>
    lines(
      portName === undefined ? `  - port: ${number}` : `  - name: ${portName}\n    port: ${number}`,
      targetPort !== undefined && `    targetPort: ${targetPort}`,
    );
  return (
    lines(
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: ${name}`,
      options.namespace !== undefined && `  namespace: ${options.namespace}`,
      'spec:',
      selector !== null && ['  selector:', ...Object.entries(selector).map(([key, text]) => `    ${key}: ${value(text)}`)].join('\n'),
      '  ports:',
    ) + ports.map(port).join('')
  );
}

/**
 * A Gateway API Gateway with one HTTP listener (port 80 unless told); class istio gets an options
 * ConfigMap from the gatewayOptions rule. A null namespace leaves the namespace out.
 */
export function gateway(name = 'gw', className = 'istio', namespace: string | null = 'default', options: { port?: number } = {}): string {
  return lines(
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata:',
    `  name: ${name}`,
    namespace !== null && `  namespace: ${namespace}`,
    'spec:',
    `  gatewayClassName: ${className}`,
    '  listeners:',
    '  - name: http',
    `    port: ${options.port ?? 80}`,
    '    protocol: HTTP',
  );
}

/** A Sail operator `Istio` resource whose gateway injection template sets no sysctl. */
export function istioResource(version = 'v1.27.0'): string {
  return `apiVersion: sailoperator.io/v1
kind: Istio
metadata:
  name: default
spec:
  version: ${version}
  values:
    sidecarInjectorWebhook:
      templates:
        gateway: |
          spec:
            securityContext:
              sysctls: []
`;
}

/** The given lines, each ending in a newline; `false` leaves a line out. */
function lines(...parts: (string | false)[]): string {
  return parts
    .filter((part): part is string => part !== false)
    .map((part) => `${part}\n`)
    .join('');
}

export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export function stream(...documents: string[]): string {
  return documents.map((document) => `---\n${document}`).join('');
}

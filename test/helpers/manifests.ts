// Small manifests for the robustness, secrets and property tests, written as text so that every
// byte is under the test's control.
export const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

/** A gateway Deployment as the gateway chart renders it: the sysctl a rule removes, istio-proxy. */
export function gatewayDeployment(name = 'istio-ingressgateway', namespace = 'istio-system'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        app: ${name}
    spec:
      securityContext:
        sysctls:
        - name: ${SYSCTL}
          value: "0"
      containers:
      - name: istio-proxy
        image: auto
        ports:
        - containerPort: 8080
`;
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

export function service(name = 'istio-ingressgateway'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;
}

/** A Gateway API Gateway; class istio gets an options ConfigMap from the gatewayOptions rule. */
export function gateway(name = 'gw', className = 'istio', namespace = 'default'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  gatewayClassName: ${className}
  listeners:
  - name: http
    port: 80
    protocol: HTTP
`;
}

export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export function stream(...documents: string[]): string {
  return documents.map((document) => `---\n${document}`).join('');
}

// Warnings `privileged-port` and `grant-overridden`: once the sysctl is gone, a gateway binds a port
// below 1024 only as uid 0 with NET_BIND_SERVICE effective. Each gateway's container is judged as
// the cluster will run it (predicted-privileges.ts, src/kube/privilege.ts) after this run's grants:
// whatever does not bind is a warning naming the workload, the ports, why and the fix:
// `privileged-port` when no grant was asked for (or only the capability, which a non-root process
// may never get), `grant-overridden` when a grant was asked for and something still defeats it.
// Where a gateway will listen is read from the stream as it leaves the rules:
//   - the targetPorts of the Services whose selector matches the workload's pod labels (a named
//     targetPort resolves to istio-proxy's container port of that name; no targetPort means port);
//   - the containerPorts istio-proxy declares;
//   - the server ports of classic Istio Gateways selecting the workload that are no port of its
//     Services (Envoy binds those as they are; a server port that is a Service port binds its
//     targetPort, which the first check covers);
//   - the listener ports of Gateway API Gateways of a handled class (Istio generates their
//     Deployment and Service; Envoy binds the listener port).
import { isMap } from 'yaml';
import { mapAt, seqAt, stringAt } from '../yaml/node-edits.js';
import { describeResource, podTemplateOf } from '../kube/objects.js';
import { gatewayContainerOf } from '../kube/gateway-workloads.js';
import type { Grant, Judged } from '../kube/privilege.js';
import { grantOf, grants, predictGateway, predictWorkload, type WorkloadPrediction } from './predicted-privileges.js';
import type { RuleContext } from '../context.js';
import type { GatewayWorkload } from '../kube/gateway-workloads.js';
import type { IstioGateway, MatchedGateway } from '../kube/gateways.js';
import { objectPath } from '../kube/objects.js';
import { PRIVILEGED_BELOW, intAt, nameAt, portsOf, selectorMatches, type SelectingService } from '../kube/services.js';
import { objectAtPlace, type StreamView } from '../kube/view.js';

const WAYS_OUT = (offset: number): string =>
  `Ways out: --unprivileged-ports (Service targetPorts below 1024 move to port + ${offset}, Service ports stay, so clients see no change; recommended), or --run-as-root (uid 0 with NET_BIND_SERVICE, as Istio's own sidecar template pairs them)`;
const WAYS_OUT_WITH_HIGH_PORTS =
  "--unprivileged-ports is on but left this: it moves only the targetPorts below 1024 of Services in this stream that select the gateway (and the containerPorts they name), and only where port + offset is free (see any port-offset-conflict warning). Render the gateway's Service in the same stream, or use --run-as-root (uid 0 with NET_BIND_SERVICE)";

const CAPABILITY_ONLY_FIX =
  "Add --run-as-root (uid 0 with NET_BIND_SERVICE, as Istio's own sidecar template pairs them), or use --unprivileged-ports and need neither";

function fixFor(
  ctx: RuleContext,
  judged: Judged,
  unprivilegedPorts: boolean,
  offset: number,
): { code: 'privileged-port' | 'grant-overridden'; fix: string } {
  const grant = grantOf(ctx.config);
  if (!grants(grant)) return { code: 'privileged-port', fix: unprivilegedPorts ? WAYS_OUT_WITH_HIGH_PORTS : WAYS_OUT(offset) };
  if (!grant.root && judged.verdict === 'runtime-dependent') return { code: 'privileged-port', fix: CAPABILITY_ONLY_FIX };
  return {
    code: 'grant-overridden',
    fix: 'Fix the securityContext named above (gateway-compat grants only what the configuration asks for and does not override a value it did not write), or use --unprivileged-ports',
  };
}

function pinNote(prediction: WorkloadPrediction, ctx: RuleContext): string {
  if (!prediction.injected || ctx.config.runAsRoot || prediction.pins.length === 0) return '';
  return ` Note: the injector re-applies this Deployment's own ${prediction.container} ${prediction.pins.join(' and ')} over the gateway injection template, so a root grant given only to the istiod release is lost here (with runAsNonRoot: true the kubelet refuses uid 0: CreateContainerConfigError); give both releases the same flags.`;
}

/** port -> where it comes from, in the order found */
type Listening = Map<number, string[]>;

function note(listening: Listening, port: number | undefined, why: string): void {
  if (port === undefined || port >= PRIVILEGED_BELOW || port <= 0) return;
  const reasons = listening.get(port) ?? [];
  if (!reasons.includes(why)) reasons.push(why);
  listening.set(port, reasons);
}

function describePorts(listening: Listening): string {
  const ports = [...listening.entries()].sort(([a], [b]) => a - b).map(([port, reasons]) => `${port} (${reasons.join('; ')})`);
  const list = ports.length > 1 ? `${ports.slice(0, -1).join(', ')} and ${ports[ports.length - 1]}` : ports[0];
  return `${ports.length > 1 ? 'ports' : 'port'} ${list}`;
}

export function checkWorkloadPorts(
  view: StreamView,
  workloads: readonly GatewayWorkload[],
  services: readonly SelectingService[],
  istioGateways: readonly IstioGateway[],
  ctx: RuleContext,
  templateGrant?: Grant,
): void {
  const { offset, enabled: unprivilegedPorts } = ctx.config.unprivilegedPorts;
  for (const workload of workloads) {
    const found = objectAtPlace(view, workload);
    const pod = found && podTemplateOf(found.object);
    if (!found || !pod) continue;
    const prediction = predictWorkload(pod, ctx.config, true, templateGrant);
    if (!prediction || prediction.judged.verdict === 'binds') continue;
    const proxy = gatewayContainerOf(pod.spec);
    const byName = new Map<string, number>();
    const listening: Listening = new Map();
    for (const port of portsOf(proxy?.container)) {
      const number = intAt(port, 'containerPort');
      const name = nameAt(port, 'name');
      if (number !== undefined && name) byName.set(name, number);
      note(listening, number, `containerPort of ${prediction.container}`);
    }
    const mine = services.filter((service) => service.workloads.includes(workload));
    const servicePorts = new Set<number>();
    for (const service of mine) {
      const fresh = objectAtPlace(view, service);
      const spec = fresh && mapAt(fresh.object.map, 'spec');
      for (const port of portsOf(spec)) {
        const servicePort = intAt(port, 'port');
        if (servicePort !== undefined) servicePorts.add(servicePort);
        const named = nameAt(port, 'targetPort');
        const target = named !== undefined ? byName.get(named) : (intAt(port, 'targetPort') ?? servicePort);
        const of = describeResource(service.id);
        const how =
          named !== undefined
            ? `targetPort "${named}" of ${of}`
            : intAt(port, 'targetPort') !== undefined
              ? `targetPort of ${of}`
              : `port of ${of}, which has no targetPort`;
        note(listening, target, how);
      }
    }
    if (mine.length > 0) {
      for (const gateway of istioGateways) {
        if (!selectorMatches(gateway.selector, workload.labels)) continue;
        for (const port of gateway.ports) {
          if (!servicePorts.has(port))
            note(listening, port, `server port of ${describeResource(gateway.id)}, not a port of its Service, so Envoy binds it as is`);
        }
      }
    }
    if (listening.size === 0) continue;
    const { code, fix } = fixFor(ctx, prediction.judged, unprivilegedPorts, offset);
    const verdict = prediction.judged.verdict === 'runtime-dependent' ? 'may not be able to bind' : 'cannot bind';
    ctx.warn({
      code,
      severity: 'warning',
      resource: workload.id,
      path: `${objectPath(found.object)}${pod.specPath}.containers`,
      document: found.ed.number,
      message: `this gateway will listen on ${describePorts(listening)}, below ${PRIVILEGED_BELOW}, and without net.ipv4.ip_unprivileged_port_start its ${prediction.container} ${verdict} ${listening.size > 1 ? 'them' : 'it'}: once ${prediction.injected ? 'injected' : 'admitted'} it ${prediction.judged.reason}. ${fix}.${pinNote(prediction, ctx)}`,
    });
  }
}

export function checkGatewayListeners(view: StreamView, gateways: readonly MatchedGateway[], ctx: RuleContext): void {
  for (const gateway of gateways) {
    const found = objectAtPlace(view, gateway);
    const spec = found && mapAt(found.object.map, 'spec');
    const listeners = spec && seqAt(spec, 'listeners');
    if (!found || !listeners) continue;
    const prediction = predictGateway(stringAt(spec, 'gatewayClassName'), ctx.config);
    if (prediction.judged.verdict === 'binds') continue;
    const low: string[] = [];
    for (const listener of listeners.items) {
      if (!isMap(listener)) continue;
      const port = intAt(listener, 'port');
      if (port !== undefined && port > 0 && port < PRIVILEGED_BELOW)
        low.push(`${port}${stringAt(listener, 'name') ? ` (listener ${stringAt(listener, 'name')})` : ''}`);
    }
    if (low.length === 0) continue;
    const grant = grantOf(ctx.config);
    const fix =
      grants(grant) && !grant.root
        ? CAPABILITY_ONLY_FIX.replace(
            ', or use --unprivileged-ports and need neither',
            '; --unprivileged-ports cannot move Gateway API listeners',
          )
        : `Ways out: --run-as-root (uid 0 with NET_BIND_SERVICE; the options ConfigMap carries the grant, and on Istio before 1.26 the kube-gateway template of the istiod release), or a listener port of ${PRIVILEGED_BELOW} or above; --unprivileged-ports cannot move Gateway API listeners`;
    ctx.warn({
      code: 'privileged-port',
      severity: 'warning',
      resource: gateway.id,
      path: `${objectPath(found.object)}spec.listeners`,
      document: found.ed.number,
      message: `listens on ${low.length > 1 ? 'ports' : 'port'} ${low.join(', ')}, below ${PRIVILEGED_BELOW}; Istio generates its Deployment and Service, and its ${prediction.container} binds the listener port itself, which it ${prediction.judged.verdict === 'runtime-dependent' ? 'may not be able to do' : 'cannot do'} without net.ipv4.ip_unprivileged_port_start: it ${prediction.judged.reason}. ${fix}`,
    });
  }
}

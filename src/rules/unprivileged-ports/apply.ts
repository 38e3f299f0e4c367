// Rule `unprivilegedPorts` (--unprivileged-ports, --port-offset N): the high-port way out. Without
// net.ipv4.ip_unprivileged_port_start a non-root Envoy cannot bind ports below 1024, but it does not
// have to: for the Services that select gateway workloads, every targetPort below 1024 moves to
// port + offset (80 -> 8080, 443 -> 8443) and the matching istio-proxy containerPorts follow. The
// Service `port`s stay, so clients see no change, and Envoy needs neither NET_BIND_SERVICE nor root.
//
// Why Envoy follows: for a classic Istio `Gateway`, a server port that is a port of the gateway's
// Service makes Envoy listen on that Service port's targetPort (this is how Istio's own istioctl
// ingress gateway listens on 8080/8443 behind Service ports 80/443). A targetPort given by name
// names a container port: that containerPort moves and the Service is left alone.
// It cannot help Gateway API gateways: Istio generates their Service and Deployment in the cluster.
//
// Works across documents (workloads and Services), after the document rules.
import type { YAMLMap } from 'yaml';
import type { EditableDocument } from '../../yaml/editable-document.js';
import { mapAt, mergePatches, setScalar } from '../../yaml/node-edits.js';
import { describeResource, podTemplateOf, type KubeObject, type ResourceId } from '../../kube/objects.js';
import { lenientView } from '../../kube/view.js';
import { otherSelectedPods } from '../../kube/services.js';
import { PROXY_CONTAINER } from '../../kube/gateway-containers.js';
import type { ApplyToStream, RuleContext } from '../rule.js';
import { findGatewayWorkloads, proxyContainerOf, type GatewayWorkload } from '../../kube/gateway-workloads.js';
import { objectPath } from '../../kube/objects.js';
import { findSelectingServices, intAt, nameAt, portsOf, type SelectingService } from '../../kube/services.js';
import { objectAtPlace, type StreamView } from '../../kube/view.js';
import { PRIVILEGED_BELOW } from '../../kube/services.js';

interface ContainerPortMove {
  /** move the istio-proxy port with this containerPort, or the one with this name */
  readonly from: number | string;
  readonly to: number;
  readonly because: string;
}

function specOf(object: KubeObject): YAMLMap | undefined {
  return mapAt(object.map, 'spec');
}

/** istio-proxy's declared container ports of a workload, by number and by name. */
function proxyPorts(view: StreamView, workload: GatewayWorkload): { numbers: Set<number>; byName: Map<string, number> } {
  const numbers = new Set<number>();
  const byName = new Map<string, number>();
  const found = objectAtPlace(view, workload);
  const pod = found && podTemplateOf(found.object);
  const proxy = pod && proxyContainerOf(pod.spec);
  for (const port of portsOf(proxy?.container)) {
    const number = intAt(port, 'containerPort');
    if (number === undefined) continue;
    numbers.add(number);
    const name = nameAt(port, 'name');
    if (name) byName.set(name, number);
  }
  return { numbers, byName };
}

export const apply: ApplyToStream = (ctx) => {
  const { view } = ctx;
  const { enabled, offset } = ctx.config.unprivilegedPorts;
  if (!enabled) return;
  const workloads = findGatewayWorkloads(view, ctx);
  if (workloads.length === 0) return;
  // Only Services with a port below 1024 or a named targetPort can have anything to move.
  const services = findSelectingServices(view, workloads, ctx, true);
  const containerMoves = new Map<GatewayWorkload, ContainerPortMove[]>();
  const addMove = (workload: GatewayWorkload, move: ContainerPortMove): void => {
    const moves = containerMoves.get(workload) ?? [];
    if (!moves.some((m) => m.from === move.from)) moves.push(move);
    containerMoves.set(workload, moves);
  };
  for (const service of services) moveServicePorts(view, service, workloads, ctx, offset, addMove);
  for (const [workload, moves] of containerMoves) moveContainerPorts(view, workload, moves, ctx);
};

/** The port below 1024 a Service port sends traffic to (its targetPort, or its port), or a named targetPort. */
function lowTarget(port: YAMLMap): number | string | undefined {
  const named = nameAt(port, 'targetPort');
  if (named !== undefined) return named;
  const target = intAt(port, 'targetPort') ?? intAt(port, 'port');
  return target !== undefined && target < PRIVILEGED_BELOW ? target : undefined;
}

function moveServicePorts(
  view: StreamView,
  service: SelectingService,
  allGateways: readonly GatewayWorkload[],
  ctx: RuleContext,
  offset: number,
  addMove: (workload: GatewayWorkload, move: ContainerPortMove) => void,
): void {
  const found = objectAtPlace(view, service);
  if (!found) return;
  const { ed, object } = found;
  const ports = portsOf(specOf(object));
  // A moved targetPort moves for every pod the Service selects: another backend behind it would
  // stop getting traffic. Leave such a Service alone and say so.
  // (read leniently: a broken document no rule needs passes through, it does not fail the run)
  const others = otherSelectedPods(lenientView(view), service, allGateways);
  if (others.length > 0 && ports.some((port) => lowTarget(port) !== undefined)) {
    ctx.warn({
      code: 'port-offset-conflict',
      severity: 'warning',
      resource: service.id,
      path: `${objectPath(object)}spec.selector`,
      document: ed.number,
      message: `--unprivileged-ports left the ports of ${describeResource(service.id)} where they are: its selector also picks ${others.map(describeResource).join(', ')}, which is not a gateway this run edits, and moving a targetPort would move it for those pods too. Give the gateway a Service of its own (a selector only its pods match), or use --run-as-root`,
    });
    return;
  }
  const proxy = service.workloads.map((workload) => ({ workload, ...proxyPorts(view, workload) }));
  // Ports something already listens on or targets: a moved port must not land on one of them.
  const taken = new Set<number>();
  for (const port of ports) {
    const target = intAt(port, 'targetPort') ?? (nameAt(port, 'targetPort') === undefined ? intAt(port, 'port') : undefined);
    if (target !== undefined) taken.add(target);
  }
  for (const { numbers } of proxy) for (const number of numbers) taken.add(number);

  const serviceName = describeResource(service.id);
  const planned: { index: number; from: number; to: number; explicit: boolean; servicePort: number | undefined }[] = [];
  ports.forEach((port, index) => {
    const servicePort = intAt(port, 'port');
    const named = nameAt(port, 'targetPort');
    if (named !== undefined) {
      for (const { workload, byName } of proxy) {
        const number = byName.get(named);
        if (number === undefined || number >= PRIVILEGED_BELOW) continue;
        const to = number + offset;
        if (taken.has(to)) {
          conflict(
            ctx,
            ed,
            service.id,
            `${objectPath(object)}spec.ports[${index}].targetPort`,
            `${PROXY_CONTAINER} port "${named}" (${number}) of ${describeResource(workload.id)}`,
            to,
          );
          continue;
        }
        addMove(workload, { from: named, to, because: `port "${named}", which ${serviceName} targets by name; the Service is unchanged` });
      }
      return;
    }
    const explicit = intAt(port, 'targetPort');
    const from = explicit ?? servicePort;
    if (from === undefined || from >= PRIVILEGED_BELOW) return;
    const to = from + offset;
    if (taken.has(to)) {
      conflict(ctx, ed, service.id, `${objectPath(object)}spec.ports[${index}].targetPort`, `targetPort ${from}`, to);
      return;
    }
    planned.push({ index, from, to, explicit: explicit !== undefined, servicePort });
  });

  for (const move of planned) {
    // Each edit re-parses the document; look the port up again so positions match the text.
    const fresh = objectAtPlace(view, service);
    const port = fresh && portsOf(specOf(fresh.object))[move.index];
    if (!fresh || !port) continue;
    const targetPort = port.get('targetPort', true);
    ed.apply(move.explicit && targetPort ? setScalar(ed, targetPort, move.to) : mergePatches(ed, port, { targetPort: move.to }));
    const path = `${objectPath(object)}spec.ports[${move.index}].targetPort`;
    const what = move.explicit
      ? `moved targetPort ${move.from} to ${move.to}`
      : `set targetPort ${move.to} (it defaulted to port ${move.from})`;
    ctx.change(
      {
        resource: service.id,
        rule: 'unprivilegedPorts',
        path,
        message: `${what} in ${path}; Service port ${move.servicePort ?? move.from} stays, so clients see no change and Envoy listens on an unprivileged port`,
      },
      ed,
    );
    for (const { workload } of proxy) addMove(workload, { from: move.from, to: move.to, because: `to match ${serviceName}` });
  }
}

function moveContainerPorts(view: StreamView, workload: GatewayWorkload, moves: readonly ContainerPortMove[], ctx: RuleContext): void {
  for (const move of moves) {
    const found = objectAtPlace(view, workload);
    const pod = found && podTemplateOf(found.object);
    const proxy = pod && proxyContainerOf(pod.spec);
    if (!found || !pod || !proxy) return;
    const ports = portsOf(proxy.container);
    const index = ports.findIndex((port) =>
      typeof move.from === 'number' ? intAt(port, 'containerPort') === move.from : nameAt(port, 'name') === move.from,
    );
    const port = ports[index];
    const node = port?.get('containerPort', true);
    const from = intAt(port, 'containerPort');
    if (!port || !node || from === undefined || from >= PRIVILEGED_BELOW) continue;
    const { ed, object } = found;
    ed.apply(setScalar(ed, node, move.to));
    const path = `${objectPath(object)}${pod.specPath}.containers[${proxy.index}].ports[${index}].containerPort`;
    ctx.change(
      {
        resource: workload.id,
        rule: 'unprivilegedPorts',
        path,
        message: `${PROXY_CONTAINER}: moved containerPort ${from} to ${move.to} in ${path} (${move.because})`,
      },
      ed,
    );
  }
}

function conflict(ctx: RuleContext, ed: EditableDocument, service: ResourceId, path: string, what: string, to: number): void {
  ctx.warn({
    code: 'port-offset-conflict',
    severity: 'warning',
    resource: service,
    path,
    document: ed.number,
    message: `--unprivileged-ports left ${what} where it is: ${to} is already in use by this Service or by ${PROXY_CONTAINER}; choose another --port-offset (config: spec.unprivilegedPorts.offset)`,
  });
}

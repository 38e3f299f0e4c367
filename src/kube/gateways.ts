// Gateways: Gateway API Gateways of a handled class (what the options rule points at its
// ConfigMap), and classic Istio Gateways (networking.istio.io), whose server ports the gateway pods
// they select must bind.
import { Minimatch } from 'minimatch';
import { isMap, type YAMLMap } from 'yaml';
import type { Config } from '../config/config.js';
import type { RuleContext } from '../context.js';
import { mapAt, seqAt, stringAt } from '../yaml/node-edits.js';
import { labelsOf, type KubeObject, type ResourceId } from './objects.js';
import { intAt } from './services.js';
import { GATEWAY_API_GROUP, mightHoldGatewayObject, mightHoldIstioGateway } from './text-checks.js';
import { eachObject, type Place, type StreamView } from './view.js';

export function isGateway(object: KubeObject): boolean {
  return object.id.kind === 'Gateway' && object.id.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`);
}

export function classOf(gateway: KubeObject): string | undefined {
  return stringAt(mapAt(gateway.map, 'spec'), 'gatewayClassName');
}

// minimatch() compiles its glob on every call: each glob is compiled once, as a stream of many
// small Gateways matches the same few globs thousands of times.
const classGlobs = new Map<string, Minimatch>();
function classGlob(glob: string): Minimatch {
  let compiled = classGlobs.get(glob);
  if (!compiled) classGlobs.set(glob, (compiled = new Minimatch(glob)));
  return compiled;
}

export function matchesGatewayClass(object: KubeObject, config: Config): boolean {
  const className = classOf(object);
  return className !== undefined && config.gatewayApi.gatewayClassNames.some((glob) => classGlob(glob).match(className));
}

export interface MatchedGateway extends Place {
  readonly id: ResourceId;
}

/** Gateway API Gateways of a handled class that the globs select. */
export function findMatchedGateways(view: StreamView, ctx: Pick<RuleContext, 'isSelected' | 'config'>): MatchedGateway[] {
  const found: MatchedGateway[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldGatewayObject(chunk.text)) return;
    eachObject(view, index, (object) => {
      if (isGateway(object) && ctx.isSelected(object.id) && matchesGatewayClass(object, ctx.config)) {
        found.push({ chunk: index, path: object.path, id: object.id });
      }
    });
  });
  return found;
}

export interface IstioGateway extends Place {
  readonly id: ResourceId;
  readonly selector: ReadonlyMap<string, string>;
  /** spec.servers[].port.number */
  readonly ports: readonly number[];
}

/** Classic Istio Gateways (networking.istio.io): their selector and server ports. */
export function findIstioGateways(view: StreamView): IstioGateway[] {
  const found: IstioGateway[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldIstioGateway(chunk.text)) return;
    eachObject(view, index, (object) => {
      if (object.id.kind !== 'Gateway' || !object.id.apiVersion.startsWith('networking.istio.io/')) return;
      const spec: YAMLMap | undefined = mapAt(object.map, 'spec');
      const servers = spec && seqAt(spec, 'servers');
      const ports = (servers?.items ?? [])
        .map((server) => (isMap(server) ? intAt(mapAt(server, 'port'), 'number') : undefined))
        .filter((port): port is number => port !== undefined);
      found.push({ chunk: index, path: object.path, id: object.id, selector: labelsOf(spec && mapAt(spec, 'selector')), ports });
    });
  });
  return found;
}

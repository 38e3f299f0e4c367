// What else stands between the operator and a running gateway on an old kernel. The transform
// runs this analysis on the documents as parsed, before the rules edit them (so no edited document
// is parsed twice); the rules' effects it depends on follow from the configuration alone.
//
//   privileged-port                  a gateway will listen below 1024 and nothing lets Envoy bind it
//   capability-without-root          --net-bind-service alone may not reach a non-root Envoy
//   template-adds-sysctl-back        gateway-template workloads, but no injector ConfigMap / Istio CR
//   istio-too-old-for-parametersref  Istio < 1.26 ignores the Gateway's parametersRef
//   nothing-matched (info)           no rule found anything to do
//
// istio-cr-without-template and parameters-ref-unresolved come from their rules (injection-templates,
// gateway-options), port-offset-conflict from unprivileged-ports: each warning has one source.
import { mapIn, UnsupportedYamlError } from '../yaml/node-edits.js';
import type { ChangeRecord, WarningRecord } from '../report/records.js';
import { decidingVersion, findIstioVersions } from '../kube/istio-versions.js';
import { compareVersions, formatVersion, type Version } from '../kube/version.js';
import { checkGatewayListeners, checkWorkloadPorts } from './privileged-ports.js';
import { predictWorkload } from './predicted-privileges.js';
import { podTemplateOf } from '../kube/objects.js';
import type { RuleContext } from '../context.js';
import { findGatewayWorkloads } from '../kube/gateway-workloads.js';
import { findIstioGateways, findMatchedGateways, type MatchedGateway } from '../kube/gateways.js';
import { findTemplateHolders, type TemplateHolders } from '../kube/injection-templates.js';
import { findSelectingServices } from '../kube/services.js';
import { lenientView, objectAtPlace, type StreamView } from '../kube/view.js';

/** Istio honours Gateway spec.infrastructure.parametersRef from this version (istio/istio#55283). */
export const PARAMETERS_REF_SINCE: Version = [1, 26, 0];

export interface RecordsSoFar {
  readonly changes: readonly ChangeRecord[];
  readonly warnings: readonly WarningRecord[];
}

export function analyzeStream(view: StreamView, ctx: RuleContext): void {
  try {
    analyze(lenientView(view), ctx);
  } catch (error) {
    // YAML merge keys or aliases where a check reads: that check says nothing; the run goes on.
    if (!(error instanceof UnsupportedYamlError)) throw error;
  }
}

function analyze(view: StreamView, ctx: RuleContext): void {
  const config = ctx.config;
  const workloads = findGatewayWorkloads(view, ctx);
  let holders: TemplateHolders | undefined;
  const templateHolders = (): TemplateHolders => (holders ??= findTemplateHolders(view));
  let gateways: MatchedGateway[] | undefined;
  const matchedGateways = (): MatchedGateway[] => (gateways ??= findMatchedGateways(view, ctx));

  // Every gateway is judged as the cluster will run it, whatever the flags (privileged-ports.ts).
  if (workloads.length > 0) {
    // Classic Istio Gateways need every Service of a gateway (which ports are Service ports);
    // without them, only Services with a port below 1024 can add a privileged port.
    const istioGateways = findIstioGateways(view);
    const services = findSelectingServices(view, workloads, ctx, istioGateways.length === 0);
    checkWorkloadPorts(view, workloads, services, istioGateways, ctx, streamTemplateGrant(view, templateHolders()));
  }
  checkGatewayListeners(view, matchedGateways(), ctx);

  if (config.netBindService && !config.runAsRoot) {
    const held = workloads.length > 0 || matchedGateways().length > 0 || holdsTemplates(templateHolders());
    if (held) {
      ctx.warn({
        code: 'capability-without-root',
        severity: 'warning',
        message:
          '--net-bind-service without --run-as-root: the gateway container (istio-proxy, agentgateway) gets NET_BIND_SERVICE but still runs as its non-root uid (1337, 10101), and on many container runtimes a capability added to a non-root process never becomes effective (kubernetes/kubernetes#56374), so Envoy may still fail to bind ports below 1024. Istio itself pairs the capability with runAsUser: 0. Add --run-as-root, or use --unprivileged-ports and need neither',
      });
    }
  }

  warnExcludedOverrides(view, ctx, templateHolders());

  const templated = workloads.filter((w) => w.injected);
  if (templated.length > 0 && !holdsTemplates(templateHolders())) {
    const flags = [config.runAsRoot ? '--run-as-root' : '', config.netBindService ? '--net-bind-service' : ''].filter(Boolean).join(' ');
    const grantNote = flags
      ? ` with the same flags (${flags}): the template grants NET_BIND_SERVICE${config.runAsRoot ? ' and uid 0' : ''} too, and this Deployment's capabilities.add is left to it, since a list written here would replace the template's at admission`
      : '';
    for (const workload of templated) {
      ctx.warn({
        code: 'template-adds-sysctl-back',
        severity: 'warning',
        resource: workload.id,
        document: view.parse(workload.chunk)?.number,
        message: `its pods use the gateway injection template (inject.istio.io/templates: gateway), and at admission Istio's injector merges that template over the pod, adding net.ipv4.ip_unprivileged_port_start back (sysctls is an atomic list; injection wins). This stream holds neither the istio-sidecar-injector ConfigMap nor a Sail Istio resource, so the template was not fixed here: post-render the istiod release (or the Istio resource) with gateway-compat too${grantNote}. Once it is, acknowledge this with --ignore-warning template-adds-sysctl-back`,
      });
    }
  }

  if (matchedGateways().length > 0 && !kubeGatewayTemplateFixed(view, ctx, templateHolders())) {
    const deciding = decidingVersion(findIstioVersions(view, templateHolders()));
    if (deciding && compareVersions(deciding.version, PARAMETERS_REF_SINCE) < 0) {
      for (const gateway of matchedGateways()) {
        ctx.warn({
          code: 'istio-too-old-for-parametersref',
          severity: 'warning',
          resource: gateway.id,
          path: 'spec.infrastructure.parametersRef',
          document: view.parse(gateway.chunk)?.number,
          message: `this stream shows Istio ${formatVersion(deciding.version)} (from ${deciding.source}), and Istio honours a Gateway's spec.infrastructure.parametersRef only from ${formatVersion(PARAMETERS_REF_SINCE)}: the options ConfigMap will not reach the Deployment Istio generates for Gateway ${gateway.id.name}, whose pods keep net.ipv4.ip_unprivileged_port_start. Take the kube-gateway template path: post-render the istiod release (its istio-sidecar-injector ConfigMap holds templates.kube-gateway) with gateway-compat, or set spec.values.sidecarInjectorWebhook.templates.kube-gateway on the Istio resource; or upgrade Istio to ${formatVersion(PARAMETERS_REF_SINCE)}+`,
        });
      }
    }
  }
}

/**
 * `gateway-release-needs`: the istiod release alone (templates granted by this run, no gateway
 * workload in the stream) says what the gateway release needs for the grant to hold. Runs after
 * the rules, since it speaks of what they granted.
 */
export function noteGatewayReleaseNeeds(view: StreamView, ctx: RuleContext, records: RecordsSoFar): void {
  const config = ctx.config;
  const granted = records.changes.some((change) => change.rule === 'injectionTemplates' && change.message.includes('NET_BIND_SERVICE'));
  if (!granted || findGatewayWorkloads(view, ctx).length > 0) return;
  ctx.warn({
    code: 'gateway-release-needs',
    severity: 'info',
    message: `the gateway injection templates now grant ${config.runAsRoot ? 'uid 0 and ' : ''}NET_BIND_SERVICE; at admission the injector re-applies each gateway Deployment's own istio-proxy securityContext over the template (the gateway chart sets runAsNonRoot: true, charts before 1.30 runAsUser: 1337), so post-render the gateway release with the same flags (or the same --config) too`,
  });
}

/**
 * `nothing-matched`: runs after every rule, since it speaks of all their records.
 */
export function noteNothingMatched(view: StreamView, ctx: RuleContext, records: RecordsSoFar): void {
  const config = ctx.config;
  const documents = view.chunks.filter((chunk) => chunk.hasContent).length;
  if (documents > 0 && records.changes.length === 0 && records.warnings.length === 0) {
    ctx.warn({
      code: 'nothing-matched',
      severity: 'info',
      message: `no rule found anything to do in ${documents} document(s): no selected workload or injection template sets ${config.sysctls.remove.join(', ') || 'a sysctl to remove'}, and no Gateway of class ${config.gatewayApi.gatewayClassNames.join(', ')} lacks its options; the output equals the input. Expected changes? Check that the gateway chart (or istiod) is what is rendered here and the --include/--exclude globs; a stream that was already post-rendered also looks like this`,
    });
  }
}

/**
 * A grant this run writes into the injection templates, which an injected gateway in the same
 * stream that the select globs exclude would override at admission (its own istio-proxy fields are
 * re-applied over the template, unedited).
 */
function warnExcludedOverrides(view: StreamView, ctx: RuleContext, holders: TemplateHolders): void {
  const config = ctx.config;
  if (!config.runAsRoot || !config.injectionTemplate.enabled || !holdsTemplates(holders)) return;
  for (const workload of findGatewayWorkloads(view, { isSelected: () => true })) {
    if (!workload.injected || ctx.isSelected(workload.id)) continue;
    const found = objectAtPlace(view, workload);
    const pod = found && podTemplateOf(found.object);
    const prediction = pod && predictWorkload(pod, config, false);
    if (!found || !prediction || prediction.judged.verdict === 'binds') continue;
    ctx.warn({
      code: 'grant-overridden',
      severity: 'warning',
      resource: workload.id,
      document: found.ed.number,
      message: `this run grants the gateway injection template root with NET_BIND_SERVICE, but this gateway is excluded by --include/--exclude, so its own ${prediction.container} securityContext${prediction.pins.length > 0 ? ` (${prediction.pins.join(', ')})` : ''} is re-applied over the template's grant at admission, unedited: it ${prediction.judged.reason}. Select it too, or post-render it with the same flags`,
    });
  }
}

/** What the stream's own gateway injection templates already grant (a cluster's live templates, post-rendered before). */
function streamTemplateGrant(view: StreamView, holders: TemplateHolders): { root: boolean; capability: boolean } | undefined {
  const texts = [...holders.injectorConfigMaps, ...holders.istioResources].map((place) => view.chunks[place.chunk]?.text ?? '');
  const granted = texts.filter((text) => text.includes('NET_BIND_SERVICE'));
  if (granted.length === 0) return undefined;
  return { capability: true, root: granted.some((text) => /runAsUser:\s*0\b/.test(text)) };
}

function holdsTemplates(holders: TemplateHolders): boolean {
  return holders.injectorConfigMaps.length > 0 || holders.istioResources.length > 0;
}

/** The injectionTemplates rule fixes a kube-gateway template in this stream. */
function kubeGatewayTemplateFixed(view: StreamView, ctx: RuleContext, holders: TemplateHolders): boolean {
  const { enabled, templates } = ctx.config.injectionTemplate;
  if (!enabled || !templates.includes('kube-gateway')) return false;
  const places = [...holders.injectorConfigMaps, ...holders.istioResources];
  return places.some((place) => {
    const held = objectAtPlace(view, place);
    if (!held || !ctx.isSelected(held.object.id)) return false;
    if (held.object.id.kind === 'ConfigMap') return view.chunks[place.chunk]?.text.includes('kube-gateway:') ?? false;
    const userTemplates = mapIn(held.object.map, ['spec', 'values', 'sidecarInjectorWebhook', 'templates']);
    return userTemplates?.has('kube-gateway') ?? false;
  });
}

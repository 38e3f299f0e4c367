// Warning `sysctl-not-removed`: a document that still mentions a sysctl being removed, where no
// rule changed anything. The rules edit the places Istio puts the sysctl (pod templates of the
// workload kinds they know, injection templates, the injector's values); anything else holding it
// (a workload custom resource of a kind no rule knows, a template in some other ConfigMap, a name
// spelled in a way no rule recognised) would keep it silently, and the report would say nothing
// matched. Comments do not count; CustomResourceDefinitions (schemas, descriptions) and
// gateway-compat's own configuration are left out.
import { isScalar, visit } from 'yaml';
import { lineAndColumn } from '../yaml/source-text.js';
import { describeResource, objectsIn } from '../kube/objects.js';
import { isNamedSysctl, mightMentionSysctl, normalizeSysctlName } from '../kube/sysctl-names.js';
import type { ChangeRecord } from '../report/records.js';
import type { RuleContext } from '../context.js';
import type { StreamView } from '../kube/view.js';

const OWN_KINDS = new Set(['GatewayCompat', 'CustomResourceDefinition']);

function mentions(value: string, names: readonly string[]): boolean {
  if (isNamedSysctl(value.trim(), names)) return true;
  return names.some((name) => {
    const dotted = normalizeSysctlName(name);
    return value.includes(dotted) || value.includes(dotted.replace(/[./]/g, (c) => (c === '.' ? '/' : '.')));
  });
}

export function warnSysctlsLeft(view: StreamView, ctx: RuleContext, changes: readonly ChangeRecord[]): void {
  const { enabled, remove } = ctx.config.sysctls;
  if (!enabled || remove.length === 0) return;
  const changed = new Set(changes.map((change) => change.document));
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightMentionSysctl(chunk.text, remove)) return;
    const ed = view.parse(index);
    if (!ed || changed.has(ed.number)) return;
    const objects = objectsIn(ed.doc);
    const top = objects[0];
    if (!top || objects.some((object) => OWN_KINDS.has(object.id.kind)) || !ctx.isSelected(top.id)) return;
    let at: number | undefined;
    visit(ed.doc, {
      Scalar(_key, node) {
        if (isScalar(node) && typeof node.value === 'string' && mentions(node.value, remove)) {
          at = node.range?.[0] ?? 0;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (at === undefined) return;
    const { line } = lineAndColumn(ed.source, at);
    const holder =
      objects.length > 1
        ? (objects.find((object) => object.path.length > 0 && (object.map.range?.[0] ?? 0) <= at! && at! < (object.map.range?.[1] ?? 0)) ??
          top)
        : top;
    ctx.warn({
      code: 'sysctl-not-removed',
      severity: 'warning',
      resource: holder.id,
      document: ed.number,
      message: `still mentions ${remove.join(', ')} (line ${line} of the document), and no rule changed it: ${describeResource(holder.id)} is not a kind whose pod template gateway-compat knows (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate, Argo Rollout, Knative Service/Configuration, OpenKruise CloneSet/StatefulSet/DaemonSet/BroadcastJob, OpenShift DeploymentConfig) nor a place Istio keeps its injection templates. If it creates pods with this sysctl they will not start on kernels before 4.11 (nor on the host network): remove it from the source, or post-render what this resource generates`,
    });
  });
}

// The outcome matrix's verdict on one case: the pods istio-sim says the cluster runs, and the
// reports of the gateway-compat runs that produced them. A case is right when every pod passes
// (no sysctl, admitted, every port below 1024 binds), or when a run failed cleanly, or when the
// runs warned and the warning says exactly why: the right code, about the right object, naming the
// port. What is NOT accepted: a broken pod while every run exited 0 without such a warning.
import type { PodVerdict } from './engine.js';
import type { PostRendered, ReportRecord } from './releases.js';

export interface CaseRuns {
  /** the istiod release's post-render, or undefined when the case leaves istiod as Helm rendered it */
  controlPlane?: PostRendered;
  /** the post-render of the stream holding the workloads (gateway release, Gateway stream, ...) */
  workloads: PostRendered;
}

export type Outcome = 'pass' | 'warned' | 'failed';

export interface Judgement {
  outcome: Outcome;
  /** what is wrong with this case; empty when it is right */
  problems: string[];
  /** one line per failing pod verdict and the warning that explains it */
  explained: string[];
}

/** The object a pod belongs to as the tool sees it: `Deployment ns/name`, or the Gateway istiod deploys it for. */
function ownerOf(verdict: PodVerdict): { kind: string; name: string } {
  const source = verdict.source.split(' -> ')[0] ?? verdict.source;
  const [kind = '', ref = ''] = source.split(' ');
  return { kind, name: ref.split('/').pop() ?? ref };
}

function about(record: ReportRecord, owner: { kind: string; name: string }): boolean {
  return record.resource?.kind === owner.kind && record.resource.name === owner.name;
}

function warningsOf(run: PostRendered | undefined): ReportRecord[] {
  return (run?.report?.warnings ?? []).filter((record) => record.severity === 'warning');
}

function describe(record: ReportRecord): string {
  const where = record.resource ? ` ${record.resource.kind} ${record.resource.namespace ?? ''}/${record.resource.name}` : '';
  return `[${record.code}]${where}: ${record.message.slice(0, 160)}`;
}

/** A clean failure: a non-zero exit with an error message that is not an internal bug, nothing on stdout. */
function cleanFailure(run: PostRendered): string | undefined {
  if (run.status === 0) return undefined;
  if (/internal error/i.test(run.stderr)) return `post-render ${run.args.join(' ')} hit an internal error:\n${run.stderr.slice(0, 2000)}`;
  if (run.stdout.length > 0) return `post-render ${run.args.join(' ')} failed (exit ${run.status}) but wrote to stdout`;
  if (run.stderr.trim().length === 0) return `post-render ${run.args.join(' ')} failed (exit ${run.status}) without a message`;
  return undefined;
}

/**
 * What the API server would refuse in the objects istio-sim admitted, which its `check` does not
 * judge: a container without an image (an options patch naming a container the Deployment lacks
 * adds one), two containers of one name.
 */
export function apiServerRejections(objects: readonly Record<string, unknown>[]): string[] {
  const rejections: string[] = [];
  for (const object of objects) {
    const annotations = ((object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<
      string,
      string
    >;
    const source =
      annotations['istio-sim/source'] ?? `${String(object.kind)} ${String((object.metadata as { name?: string } | undefined)?.name)}`;
    const spec =
      object.kind === 'Pod'
        ? (object.spec as Record<string, unknown>)
        : (object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
    const containers = (spec?.containers ?? []) as { name?: string; image?: string }[];
    if (!spec || !Array.isArray(containers)) continue;
    const seen = new Set<string>();
    for (const container of containers) {
      if (!container.image)
        rejections.push(`${source}: container ${container.name ?? '(unnamed)'} has no image, so the API server rejects the pod`);
      if (container.name && seen.has(container.name)) rejections.push(`${source}: two containers named ${container.name}`);
      if (container.name) seen.add(container.name);
    }
  }
  return rejections;
}

export function judge(runs: CaseRuns, verdicts: readonly PodVerdict[], rejections: readonly string[] = []): Judgement {
  const problems: string[] = [];
  const explained: string[] = [];
  const all = [runs.controlPlane, runs.workloads].filter((run): run is PostRendered => run !== undefined);
  const failed = all.filter((run) => run.status !== 0);
  for (const run of failed) {
    const bad = cleanFailure(run);
    if (bad) problems.push(bad);
  }
  if (failed.length > 0) return { outcome: 'failed', problems, explained };
  for (const run of all)
    if (!run.report)
      problems.push(`post-render ${run.args.join(' ')}: stderr is not a --report json object:\n${run.stderr.slice(0, 1000)}`);
  if (verdicts.length === 0) problems.push('istio-sim produced no pod to check');

  const cpWarnings = warningsOf(runs.controlPlane);
  const wlWarnings = warningsOf(runs.workloads);
  for (const verdict of verdicts) {
    if (verdict.pass) continue;
    const owner = ownerOf(verdict);
    const pod = verdict.source;
    const explain = (what: string, found: ReportRecord | undefined): void => {
      if (found) explained.push(`${pod}: ${what} <- ${describe(found)}`);
      else
        problems.push(
          `${pod}: ${what}, and no run warned why. Warnings: ${[...cpWarnings, ...wlWarnings].map(describe).join(' | ') || 'none'}`,
        );
    };
    if (!verdict.sysctl.pass) {
      // Without the istiod release post-rendered, "the template adds it back" is exactly why;
      // once it was post-rendered, that reminder is no longer the reason, and the run that
      // left the sysctl in place must say so itself.
      const found =
        (!runs.controlPlane && wlWarnings.find((w) => w.code === 'template-adds-sysctl-back' && about(w, owner))) ||
        [...cpWarnings, ...wlWarnings].find((w) => w.code === 'sysctl-not-removed' || w.code === 'sysctl-in-values');
      explain(`keeps the sysctl (${verdict.sysctl.reason.slice(0, 200)})`, found || undefined);
    }
    if (!verdict.admissible.pass) {
      const found =
        wlWarnings.find((w) => w.code === 'grant-overridden' && about(w, owner)) ||
        wlWarnings.find((w) => w.code === 'privileged-port' && about(w, owner) && w.message.includes('runAsNonRoot')) ||
        cpWarnings.find((w) => w.code === 'grant-overridden');
      explain(`is not admitted (${verdict.admissible.reason.slice(0, 200)})`, found || undefined);
    }
    for (const bind of verdict.binds) {
      if (bind.verdict === 'binds') continue;
      const names = (w: ReportRecord): boolean => new RegExp(`\\b${bind.port}\\b`).test(w.message);
      // The gateway release cannot see the template: when the capability is left to it, the
      // reminder to post-render the istiod release *with the same flags* is exactly why.
      const found =
        wlWarnings.find((w) => (w.code === 'privileged-port' || w.code === 'grant-overridden') && about(w, owner) && names(w)) ||
        wlWarnings.find((w) => w.code === 'template-adds-sysctl-back' && about(w, owner) && w.message.includes('NET_BIND_SERVICE')) ||
        cpWarnings.find((w) => w.code === 'privileged-port' && names(w));
      explain(`port ${bind.port}: ${bind.verdict} (${bind.reason.slice(0, 200)})`, found || undefined);
    }
  }
  for (const rejection of rejections) problems.push(`${rejection}, and every run exited 0`);
  const outcome: Outcome = verdicts.every((verdict) => verdict.pass) ? 'pass' : 'warned';
  return { outcome, problems, explained };
}

// Can a gateway container bind a port below 1024? One model, judged by the outcome, used by the
// grants (what to write) and by the privileged-port warnings (what the pod will do).
//
// Without net.ipv4.ip_unprivileged_port_start, binding below 1024 checks CAP_NET_BIND_SERVICE in
// the process's effective set, not its uid:
//   - uid 0 with NET_BIND_SERVICE effective (added, privileged, or simply not dropped): binds;
//   - uid 0 with `drop: [ALL]` (or the capability dropped) and no add: EACCES, root or not;
//   - a non-root uid with NET_BIND_SERVICE in capabilities.add: runtime-dependent, since an added
//     capability reaches a non-root process only as an ambient capability, which common runtimes
//     do not set (kubernetes/kubernetes#56374); `allowPrivilegeEscalation: false` also rules out
//     file capabilities on the binary;
//   - a non-root uid otherwise: no.
// And the kubelet refuses a container whose effective runAsNonRoot is true while its effective
// runAsUser is 0 (CreateContainerConfigError), so such a pod never starts.
// The same verdicts as ../shared/engine's `check`, which proves them end to end.

export const NET_BIND_SERVICE = 'NET_BIND_SERVICE';

/** The securityContext fields that decide binding, as plain values (JSON of the YAML). */
export interface SecurityFields {
  runAsUser?: unknown;
  runAsGroup?: unknown;
  runAsNonRoot?: unknown;
  privileged?: unknown;
  capabilities?: { add?: unknown; drop?: unknown } | null;
}

export type BindVerdict = 'binds' | 'runtime-dependent' | 'no' | 'not-admitted';

export interface Judged {
  verdict: BindVerdict;
  /** uid the process runs as, undefined when nothing sets one (the image decides) */
  uid: number | undefined;
  /** why, in words an operator reads in a warning */
  reason: string;
}

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  // The kubelet accepts capabilities with or without the CAP_ prefix, in any case.
  return list.filter((item): item is string => typeof item === 'string').map((name) => name.toUpperCase().replace(/^CAP_/, ''));
}

function asObject(value: unknown): SecurityFields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SecurityFields) : {};
}

/**
 * Strategic merge of container securityContexts as the injector applies them: fields of `over`
 * win, `capabilities` merges key by key, and its `add`/`drop` lists are atomic (replaced whole).
 */
export function overlay(under: SecurityFields | undefined, over: SecurityFields | undefined): SecurityFields {
  const base = asObject(under);
  const top = asObject(over);
  const merged: SecurityFields = { ...base, ...top };
  if (base.capabilities || top.capabilities)
    merged.capabilities = { ...asObject(base.capabilities), ...asObject(top.capabilities) } as SecurityFields['capabilities'];
  return merged;
}

/**
 * The verdict for a container, given its own securityContext and the pod's (runAsUser and
 * runAsNonRoot inherit from the pod; capabilities and privileged are container-only).
 * `defaultUid` is the uid when neither sets one, if known (Istio's proxy image: 1337).
 */
export function judgeBinding(container: SecurityFields | undefined, pod: SecurityFields | undefined, defaultUid?: number): Judged {
  const c = asObject(container);
  const p = asObject(pod);
  const uidValue = c.runAsUser ?? p.runAsUser;
  const uid = typeof uidValue === 'number' ? uidValue : defaultUid;
  const nonRoot = (c.runAsNonRoot ?? p.runAsNonRoot) === true;
  if (nonRoot && uid === 0) {
    return {
      verdict: 'not-admitted',
      uid,
      reason: 'runAsNonRoot: true with runAsUser: 0, which the kubelet refuses (CreateContainerConfigError)',
    };
  }
  const caps = asObject(c.capabilities) as { add?: unknown; drop?: unknown };
  const added = names(caps.add).some((name) => name === NET_BIND_SERVICE || name === 'ALL');
  const dropped = names(caps.drop).some((name) => name === NET_BIND_SERVICE || name === 'ALL');
  const privileged = c.privileged === true;
  const effective = added || privileged || !dropped;
  if (uid === 0) {
    if (effective) return { verdict: 'binds', uid, reason: 'runs as uid 0 with NET_BIND_SERVICE' };
    return {
      verdict: 'no',
      uid,
      reason:
        'runs as uid 0 but drops NET_BIND_SERVICE (capabilities.drop has ALL) without adding it back, and binding below 1024 needs the capability, not the uid',
    };
  }
  if (uid === undefined && effective && !added && !privileged) {
    return {
      verdict: 'runtime-dependent',
      uid,
      reason: "sets no runAsUser, so the image's USER decides: it binds only if that is root (NET_BIND_SERVICE is not dropped)",
    };
  }
  const who = uid === undefined ? "runs as the image's user (no runAsUser)" : `runs as uid ${uid}`;
  if (added || privileged) {
    return {
      verdict: 'runtime-dependent',
      uid,
      reason: `${who} with NET_BIND_SERVICE in capabilities.add: an added capability reaches a non-root process only where the runtime sets ambient capabilities (kubernetes/kubernetes#56374)`,
    };
  }
  return { verdict: 'no', uid, reason: `${who} without NET_BIND_SERVICE` };
}

/** What a grant writes into a gateway container's securityContext. */
export interface Grant {
  root: boolean;
  capability: boolean;
}

/** The grant as securityContext fields (capabilities.add is merged with what is there by the caller). */
export function grantFields(grant: Grant): SecurityFields {
  const fields: SecurityFields = {};
  if (grant.capability || grant.root) fields.capabilities = { add: [NET_BIND_SERVICE] };
  if (grant.root) Object.assign(fields, { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
  return fields;
}

/** `add` with NET_BIND_SERVICE appended unless it is there: the capabilities a container had are kept. */
export function withNetBindService(add: unknown): string[] {
  const list = Array.isArray(add) ? add.filter((item): item is string => typeof item === 'string') : [];
  return names(list).includes(NET_BIND_SERVICE) ? list : [...list, NET_BIND_SERVICE];
}

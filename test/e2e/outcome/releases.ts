// The two releases of an Istio install as a user makes them: the istiod and gateway charts of a
// corpus version rendered by the real Helm 3, post-rendered by the real CLI (bin/post-render).
// Renders and post-renders are cached for the test run (many cases share them); every cache entry
// is a promise, so concurrent cases wait for one process instead of starting their own.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { CORPUS, POST_RENDER } from '../../helpers/run-cli.js';
import { run } from '../helpers/process.js';
import { limited } from './limit.js';

export const CHARTS = path.join(CORPUS, 'istio/helm-charts');

/** Every Istio version whose charts the corpus holds, oldest first. */
export function chartVersions(): string[] {
  const numeric = (v: string): number[] => v.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  return readdirSync(CHARTS)
    .filter((entry) => existsSync(path.join(CHARTS, entry, 'istiod')) && existsSync(path.join(CHARTS, entry, 'gateway')))
    .sort((a, b) => {
      const [x, y] = [numeric(a), numeric(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    });
}

export function minor(version: string): number {
  return Number.parseInt(version.split('.')[1] ?? '0', 10);
}

/** Does this version's gateway chart decide on the sysctl from the Kubernetes version? (up to 1.21) */
export function gatewayChartBranchesOnKubeVersion(version: string): boolean {
  const template = readFileSync(path.join(CHARTS, version, 'gateway/templates/deployment.yaml'), 'utf8');
  return template.includes('.Capabilities.KubeVersion');
}

/** Does this version's istiod chart have the `gateways.securityContext` value (1.20.8, 1.21.4+, 1.22.2+)? */
export function istiodHasGatewaysSecurityContext(version: string): boolean {
  return readFileSync(path.join(CHARTS, version, 'istiod/files/gateway-injection-template.yaml'), 'utf8').includes(
    '.Values.gateways.securityContext',
  );
}

/**
 * Does this version's injector ConfigMap carry the agentgateway template (1.29+)? 1.28 ships the
 * file in files/ but does not render it, so istiod there deploys nothing for that class.
 */
export function hasAgentgateway(version: string): boolean {
  const configMap = path.join(CHARTS, version, 'istiod/templates/istiod-injector-configmap.yaml');
  return existsSync(configMap) && readFileSync(configMap, 'utf8').includes('files/agentgateway.yaml');
}

const renders = new Map<string, Promise<string>>();

/** `helm template` of one chart; `args` are the user's --set/--set-json/--kube-version flags. */
export function helmTemplate(
  helm: string,
  version: string,
  chart: 'istiod' | 'gateway',
  release: string,
  namespace: string,
  args: readonly string[],
): Promise<string> {
  const full = ['template', release, path.join(CHARTS, version, chart), '-n', namespace, ...args];
  const key = full.join('\0');
  let rendered = renders.get(key);
  if (!rendered) {
    rendered = limited(() => run(helm, full, { timeoutMs: 60_000 })).then((ran) => {
      if (ran.status !== 0) throw new Error(`helm ${full.join(' ')} failed (exit ${ran.status}):\n${ran.stderr.slice(0, 3000)}`);
      return ran.stdout;
    });
    renders.set(key, rendered);
  }
  return rendered;
}

export interface ReportRecord {
  code?: string;
  severity?: string;
  message: string;
  resource?: { kind: string; namespace?: string; name: string };
}

export interface PostRendered {
  /** the flags given (besides --report json) */
  args: readonly string[];
  status: number | null;
  stdout: string;
  stderr: string;
  /** the parsed `--report json` object; undefined when stderr was not one */
  report?: { changes: ReportRecord[]; warnings: ReportRecord[]; ignoredWarnings?: string[] };
}

const postRenders = new Map<string, Promise<PostRendered>>();

/** The real CLI, the way Helm 3 runs it: the stream on stdin, the flags as argv, the report as JSON on stderr. */
export function postRender(input: string, args: readonly string[]): Promise<PostRendered> {
  const key = `${createHash('sha256').update(input).digest('hex')}\0${args.join('\0')}`;
  let result = postRenders.get(key);
  if (!result) {
    result = limited(() => run(process.execPath, [POST_RENDER, ...args, '--report', 'json'], { input, timeoutMs: 60_000 })).then((ran) => {
      let report: PostRendered['report'];
      try {
        report = JSON.parse(ran.stderr) as PostRendered['report'];
      } catch {
        report = undefined;
      }
      return { args, status: ran.status, stdout: ran.stdout, stderr: ran.stderr, report };
    });
    postRenders.set(key, result);
  }
  return result;
}

/** A stream as a file (istio-sim reads the control plane from a file), one per distinct content. */
export function streamFile(dir: string, label: string, content: string): string {
  const file = path.join(dir, `${label}-${createHash('sha256').update(content).digest('hex').slice(0, 16)}.yaml`);
  if (!existsSync(file)) writeFileSync(file, content);
  return file;
}

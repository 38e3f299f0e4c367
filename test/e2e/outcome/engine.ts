// istio-sim, the outcome oracle (../shared/engine): built by its own build.sh (0.1 s when it is
// already built), driven as a child process. A missing engine fails the outcome tests and says
// how to get it; nothing is ever skipped because of it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/run-cli.js';
import { run } from '../helpers/process.js';
import { limited } from './limit.js';
import { it } from 'vitest';
import { findHelm, HELM_INSTALL_HINT } from '../helpers/tools.js';

export const ENGINE_BUILD = path.resolve(REPO_ROOT, '../shared/engine/build.sh');

export const ENGINE_HINT = `istio-sim is built by \`bash ${path.relative(REPO_ROOT, ENGINE_BUILD)}\` (it installs golang-go and the sprig/yaml Go sources from Debian when they are missing, as root or through sudo); \`bash .ci/run\` does it in CI`;

/** The binary's path, or the reason there is none. */
export function findEngine(): { bin: string } | { missing: string } {
  const built = spawnSync('bash', [ENGINE_BUILD], { encoding: 'utf8', timeout: 280_000 });
  const bin = built.stdout?.trim().split('\n').pop();
  if (built.status === 0 && bin) return { bin };
  return {
    missing: `${ENGINE_HINT}. build.sh said (exit ${built.status}): ${(built.stderr || String(built.error ?? '')).trim().slice(-2000)}`,
  };
}

/** One verdict object of `istio-sim check --json` (see ../shared/engine/README.md). */
export interface PodVerdict {
  source: string;
  object: string;
  pass: boolean;
  hostNetwork: boolean;
  sysctl: { pass: boolean; reason: string };
  admissible: { pass: boolean; reason: string };
  gatewayContainer: string | null;
  uid: number | null;
  netBindService: string | null;
  binds: { port: number; from: string[]; verdict: 'binds' | 'runtime-dependent' | 'no'; reason: string }[];
}

export interface EngineRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class Engine {
  constructor(readonly bin: string) {}

  async exec(args: readonly string[], input: string): Promise<EngineRun> {
    const ran = await limited(() => run(this.bin, args, { input, timeoutMs: 60_000 }));
    return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr };
  }

  /** `inject`: the pods the injector admits for the workloads of `workloads`. */
  inject(controlPlaneFile: string, workloads: string, extra: readonly string[] = []): Promise<EngineRun> {
    return this.exec(['inject', '--control-plane', controlPlaneFile, ...extra], workloads);
  }

  /** `gateways`: what istiod's deployment controller applies for the Gateways of `stream`. */
  gateways(controlPlaneFile: string, stream: string, extra: readonly string[] = []): Promise<EngineRun> {
    return this.exec(['gateways', '--control-plane', controlPlaneFile, ...extra], stream);
  }

  /** `check --json`: one verdict per pod (exit 1 only means some pod fails). */
  async check(pods: string): Promise<{ verdicts: PodVerdict[]; run: EngineRun }> {
    const ran = await this.exec(['check', '--json'], pods);
    let verdicts: PodVerdict[] = [];
    try {
      verdicts = JSON.parse(ran.stdout) as PodVerdict[];
    } catch {
      throw new Error(`istio-sim check printed no JSON (exit ${ran.status}):\n${ran.stdout.slice(0, 2000)}\n${ran.stderr.slice(0, 2000)}`);
    }
    return { verdicts, run: ran };
  }
}

/**
 * The two things every outcome test drives: istio-sim and Helm 3. When one is missing, one
 * failing test says how to get it (nothing is skipped) and `undefined` tells the caller to stop.
 */
export function requireOracle(): { engine: Engine; helm: string } | undefined {
  const engine = findEngine();
  const helm = findHelm(3);
  if ('missing' in engine || !helm) {
    it('needs istio-sim and Helm 3', () => {
      throw new Error('missing' in engine ? engine.missing : `Helm 3 is not available. ${HELM_INSTALL_HINT}`);
    });
    return undefined;
  }
  return { engine: new Engine(engine.bin), helm };
}

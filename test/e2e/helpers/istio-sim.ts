// istio-sim, the test oracle of ../shared/engine: it simulates Istio's sidecar injector and
// Gateway API deployment controller and judges the final pods. build.sh builds it (or prints the
// path of the binary it built before); a failure to build fails the tests that need it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/run-cli.js';
import { run, type Ran } from './process.js';

export const ENGINE_BUILD = path.resolve(REPO_ROOT, '../shared/engine/build.sh');

let built: string | undefined;

export function istioSimBinary(): string {
  if (built) return built;
  if (!existsSync(ENGINE_BUILD)) throw new Error(`istio-sim needs ${ENGINE_BUILD} (the shared folder beside the clone)`);
  built = execFileSync('bash', [ENGINE_BUILD], { encoding: 'utf8', timeout: 280_000 }).trim();
  return built;
}

export function istioSim(args: readonly string[], input: string): Promise<Ran> {
  return run(istioSimBinary(), args, { input });
}

/** inject the workloads with this control plane, then check the pods; both results. */
export async function injectAndCheck(
  controlPlane: string,
  workloads: string,
  extra: readonly string[] = [],
): Promise<{ inject: Ran; check: Ran }> {
  const inject = await istioSim(['inject', '--control-plane', controlPlane, ...extra], workloads);
  const check = await istioSim(['check'], inject.stdout);
  return { inject, check };
}

/** the Gateway API objects istiod would create for these Gateways, then the check. */
export async function gatewaysAndCheck(
  controlPlane: string,
  gateways: string,
  extra: readonly string[] = [],
): Promise<{ gateways: Ran; check: Ran }> {
  const deployed = await istioSim(['gateways', '--control-plane', controlPlane, ...extra], gateways);
  const check = await istioSim(['check'], deployed.stdout);
  return { gateways: deployed, check };
}

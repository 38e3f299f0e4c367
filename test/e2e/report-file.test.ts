// --report-file under the real hosts that hide the report: Helm 3 drops a post-renderer's stderr on
// success, Helm 4 drops it always. The file keeps the report the user would otherwise never see.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { POST_RENDER, REPO_ROOT } from '../helpers/run-cli.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const CHART = path.join(REPO_ROOT, 'test/charts/gateway');
const helm3 = findHelm(3);
const helm4 = findHelm(4);

describeWithHost(
  '--report-file under Helm 3 and Helm 4',
  helm3 && helm4,
  { what: 'Helm 3 and Helm 4', installHint: HELM_INSTALL_HINT },
  () => {
    const home = scratchDir('report-file');
    const env = helmHomeEnv(home);
    mkdirSync(path.join(home, 'out'));

    it('Helm 3: the report of a successful render is in the file, though Helm showed none of it', async () => {
      const file = path.join(home, 'out', 'helm3.txt');
      const ran = await run(
        helm3 as string,
        ['template', 'gw', CHART, '--post-renderer', POST_RENDER, '--post-renderer-args', `--report-file=${file}`],
        { env, cwd: home },
      );
      expect(ran.status, explain(ran)).toBe(0);
      expect(ran.stderr).not.toContain('removed sysctl');
      const report = readFileSync(file, 'utf8');
      expect(report).toContain('Deployment default/gw: removed sysctl net.ipv4.ip_unprivileged_port_start');
      expect(report).toMatch(/^gateway-compat: \d+ changes? in /m);
    });

    it('Helm 4: the report is in the file, and so is the message of a failed render', async () => {
      const installed = await run(helm4 as string, ['plugin', 'install', path.join(REPO_ROOT, 'helm-plugin/gateway-compat')], {
        env,
        cwd: home,
      });
      expect(installed.status, explain(installed)).toBe(0);
      const file = path.join(home, 'out', 'helm4.txt');
      const ran = await run(
        helm4 as string,
        [
          'template',
          'gw',
          CHART,
          '--post-renderer',
          'gateway-compat',
          '--post-renderer-args',
          '--report-file',
          '--post-renderer-args',
          file,
        ],
        { env, cwd: home },
      );
      expect(ran.status, explain(ran)).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('removed sysctl net.ipv4.ip_unprivileged_port_start');
      const failed = await run(
        helm4 as string,
        [
          'template',
          'gw',
          CHART,
          '--post-renderer',
          'gateway-compat',
          '--post-renderer-args',
          `--report-file=${file}`,
          '--post-renderer-args',
          '--options-configmap=Not_A_Name',
        ],
        { env, cwd: home },
      );
      expect(failed.status, explain(failed)).toBe(1);
      expect(readFileSync(file, 'utf8')).toContain('spec.gatewayApi.optionsConfigMap must match pattern');
    });
  },
);

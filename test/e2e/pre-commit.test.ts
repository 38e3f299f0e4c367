// pre-commit, for real: the hooks in .pre-commit-hooks.yaml (`language: script`, running the
// committed one-file CLI bin/gateway-compat.mjs) run over a scratch consumer repository, with the
// npm registry unreachable: installing the hooks must need no network, no build and no dependency.
// The hook repository is a snapshot of this working tree (tracked and untracked files, not ignored
// ones), committed, so the tests see uncommitted work and pre-commit can use a fixed revision.
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { describeWithHost, findTool } from './helpers/tools.js';
import { find, objectsOf, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';

const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'kpt-package');
const preCommit = findTool('pre-commit');
const git = findTool('git');
const SLOW = 120_000;

describeWithHost(
  'pre-commit hooks (real pre-commit, language: script, offline)',
  preCommit && git,
  { what: 'pre-commit and git', installHint: 'Install them with: apt-get install -y pre-commit git' },
  () => {
    const work = scratchDir('pre-commit');
    const hookRepo = path.join(work, 'hook-repo');
    const consumer = path.join(work, 'consumer');
    const gitConfig = path.join(work, 'gitconfig');
    const env = {
      ...process.env,
      PRE_COMMIT_HOME: path.join(work, 'pre-commit-home'),
      GIT_CONFIG_GLOBAL: gitConfig,
      GIT_CONFIG_NOSYSTEM: '1',
      // Offline: any npm call would fail at once (port 9 is discard; nothing listens there).
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_offline: 'true',
      npm_config_cache: path.join(work, 'empty-npm-cache'),
      https_proxy: 'http://127.0.0.1:9/',
      http_proxy: 'http://127.0.0.1:9/',
    };
    delete (env as NodeJS.ProcessEnv).GIT_DIR;
    const gitIn = async (cwd: string, ...args: string[]) => {
      const ran = await run(git as string, args, { cwd, env });
      if (ran.status !== 0) throw new Error(explain(ran));
      return ran.stdout.trim();
    };
    const original = {
      deployment: readFileSync(path.join(FIXTURE, 'deployment.yaml'), 'utf8'),
      gateway: readFileSync(path.join(FIXTURE, 'network/gateway.yaml'), 'utf8'),
    };
    const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: plain\nspec:\n  ports:\n  - port: 8080\n';
    const values = 'replicaCount: 2\nsecurityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n';
    const workflow = 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - run: npm test\n';
    const read = (file: string) => readFileSync(path.join(consumer, file), 'utf8');

    beforeAll(async () => {
      writeFileSync(
        gitConfig,
        '[user]\n\tname = e2e\n\temail = e2e@example.invalid\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
      );
      mkdirSync(hookRepo);
      const files = (
        await run(git as string, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, env })
      ).stdout.split('\0');
      for (const file of files.filter((name) => name !== '')) {
        try {
          cpSync(path.join(REPO_ROOT, file), path.join(hookRepo, file), { recursive: false });
        } catch (error) {
          // A file deleted in the working tree but still in the index: not part of the snapshot.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      await gitIn(hookRepo, 'init', '-q');
      await gitIn(hookRepo, 'add', '-A');
      await gitIn(hookRepo, 'commit', '-q', '-m', 'snapshot of the working tree');

      mkdirSync(path.join(consumer, 'deploy'), { recursive: true });
      mkdirSync(path.join(consumer, '.github/workflows'), { recursive: true });
      writeFileSync(path.join(consumer, 'deploy/deployment.yaml'), original.deployment);
      writeFileSync(path.join(consumer, 'deploy/gateway.yml'), original.gateway);
      writeFileSync(path.join(consumer, 'deploy/service.yaml'), service);
      writeFileSync(path.join(consumer, 'values.yaml'), values);
      writeFileSync(path.join(consumer, '.github/workflows/ci.yml'), workflow);
      await gitIn(consumer, 'init', '-q');
      await gitIn(consumer, 'add', '-A');
    }, SLOW);

    it(
      'try-repo: the gateway-compat hook fixes the manifests in place and fails the first run',
      async () => {
        // Nothing built or installed comes along: the hook runs the committed bundle as it is.
        for (const absent of [
          'dist',
          'node_modules',
          'helm-plugin/gateway-compat/gateway-compat.mjs',
          'helm-plugin/gateway-compat/gateway-compat-core.cjs',
        ])
          expect(existsSync(path.join(hookRepo, absent)), absent).toBe(false);
        expect(existsSync(path.join(hookRepo, 'bin/gateway-compat.mjs'))).toBe(true);
        const untouchedSince = statSync(path.join(consumer, 'deploy/service.yaml')).mtimeMs;
        const ran = await run(preCommit as string, ['try-repo', hookRepo, 'gateway-compat', '--all-files'], {
          cwd: consumer,
          env,
          timeoutMs: SLOW,
        });
        expect(ran.status, explain(ran)).toBe(1);
        expect(ran.stdout).toContain('files were modified by this hook');
        expect(ran.stdout).toContain('gateway-compat: fixed deploy/deployment.yaml');

        expect(sysctlNames(find(objectsOf(read('deploy/deployment.yaml')), 'Deployment', 'istio-ingressgateway'))).not.toContain(SYSCTL);
        expect(read('deploy/deployment.yaml')).toContain('# The ingress gateway of istio-ingress (this comment must survive)');
        expect(objectsOf(read('deploy/gateway.yml')).map((object) => object.kind)).toEqual(['Service', 'ConfigMap', 'Gateway']);
        // Files that hold no Kubernetes object, or need no change, are left alone.
        expect(read('values.yaml')).toBe(values);
        expect(read('.github/workflows/ci.yml')).toBe(workflow);
        expect(read('deploy/service.yaml')).toBe(service);
        expect(statSync(path.join(consumer, 'deploy/service.yaml')).mtimeMs).toBe(untouchedSince);
      },
      SLOW,
    );

    it(
      'run: with the fixes staged, both hooks pass',
      async () => {
        const rev = await gitIn(hookRepo, 'rev-parse', 'HEAD');
        writeFileSync(
          path.join(consumer, '.pre-commit-config.yaml'),
          `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: gateway-compat\n      - id: gateway-compat-check\n`,
        );
        await gitIn(consumer, 'add', '-A');
        const ran = await run(preCommit as string, ['run', '--all-files'], { cwd: consumer, env, timeoutMs: SLOW });
        expect(ran.status, explain(ran)).toBe(0);
        expect(ran.stdout).toMatch(/gateway-compat \(make Istio gateways[^\n]*Passed/);
        expect(ran.stdout).toMatch(/gateway-compat check[^\n]*Passed/);
      },
      SLOW,
    );

    it(
      'run: the check hook changes nothing, prints a diff and fails when a manifest needs fixing',
      async () => {
        writeFileSync(path.join(consumer, 'deploy/deployment.yaml'), original.deployment);
        await gitIn(consumer, 'add', '-A');
        const ran = await run(preCommit as string, ['run', 'gateway-compat-check', '--all-files'], { cwd: consumer, env, timeoutMs: SLOW });
        expect(ran.status, explain(ran)).toBe(1);
        expect(ran.stdout).toContain('--- a/deploy/deployment.yaml');
        expect(ran.stdout).toContain('+++ b/deploy/deployment.yaml');
        expect(ran.stdout).toContain('-        - name: net.ipv4.ip_unprivileged_port_start');
        expect(ran.stdout).not.toContain('files were modified by this hook');
        expect(read('deploy/deployment.yaml')).toBe(original.deployment);
      },
      SLOW,
    );
    it(
      'option injection: committed files named --config=evil.yaml and --remove-sysctl=x.yaml are checked as files, never read as options',
      async () => {
        writeFileSync(path.join(consumer, 'private.txt'), 'PRIVATE-KEY-MATERIAL-4711\n');
        writeFileSync(
          path.join(consumer, 'evil.yaml'),
          'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata: {name: x}\nspec:\n  injectionTemplate: {file: private.txt}\n  sysctls: {remove: [none]}\n',
        );
        writeFileSync(path.join(consumer, '--config=evil.yaml'), original.deployment);
        writeFileSync(path.join(consumer, '--remove-sysctl=x.yaml'), original.deployment);
        await gitIn(consumer, 'add', '-A');
        const ran = await run(preCommit as string, ['run', 'gateway-compat-check', '--all-files'], { cwd: consumer, env, timeoutMs: SLOW });
        expect(ran.status, explain(ran)).toBe(1);
        for (const name of ['--config=evil.yaml', '--remove-sysctl=x.yaml']) {
          expect(ran.stdout).toContain(`--- a/${name}`);
        }
        expect(ran.stdout).not.toContain('PRIVATE-KEY-MATERIAL');
        expect(read('--remove-sysctl=x.yaml')).toBe(original.deployment);
      },
      SLOW,
    );

    it(
      'hook args without a closing -- are refused under pre-commit (a file name could become an option)',
      async () => {
        const rev = await gitIn(hookRepo, 'rev-parse', 'HEAD');
        writeFileSync(
          path.join(consumer, '.pre-commit-config.yaml'),
          `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: gateway-compat-check\n        args: [--net-bind-service]\n`,
        );
        await gitIn(consumer, 'add', '-A');
        const ran = await run(preCommit as string, ['run', 'gateway-compat-check', '--all-files'], { cwd: consumer, env, timeoutMs: SLOW });
        expect(ran.status, explain(ran)).not.toBe(0);
        expect(ran.stdout).toContain(`end the hook's args with "--"`);
      },
      SLOW,
    );
  },
);

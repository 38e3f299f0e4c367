// The README shows real output; these tests fail when the tool and the README drift apart.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/run-cli.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the real report of the bundled example', () => {
    const result = runCli([], readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml')));
    expect(result.status).toBe(0);
    expect(readme).toContain(result.stderr);
  });

  it('shows the real node-check table of the recorded sample', () => {
    const result = runCli(['nodes', '--file', 'test/fixtures/nodes/kubectl-get-nodes.json'], undefined);
    expect(result.status).toBe(1);
    expect(readme).toContain(result.stdout);
  });

  it('starts with the two set-up commands, and the first one runs', () => {
    const commands = [...readme.matchAll(/^npm ci && (.+)$/gm)].map((match) => match[1]);
    expect(commands).toEqual(['node bin/post-render --net-bind-service < examples/istio-gateway.yaml', 'npm test']);
    const result = runCli(['--net-bind-service'], readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml')));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('NET_BIND_SERVICE');
    expect(result.stdout).not.toContain('ip_unprivileged_port_start');
  });

  it('lists every flag that --help lists', () => {
    const help = runCli(['--help'], undefined).stdout;
    const flags = new Set([...help.matchAll(/--[a-z][a-z-]+/g)].map((match) => match[0]));
    for (const flag of flags) expect(readme, flag).toContain(flag);
  });
});

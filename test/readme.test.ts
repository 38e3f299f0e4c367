// The README shows real output; these tests fail when the tool and the README drift apart.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/run-cli.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const chinese = readFileSync(path.join(REPO_ROOT, 'docs/zh/README.md'), 'utf8');

/** The lines of a Markdown file's fenced code blocks, without trailing `# comments`. */
function codeLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const block of markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) {
    for (const line of (block[1] as string).split('\n')) {
      const code = line.replace(/\s+#\s.*$/, '').trimEnd();
      if (code.trim() && !code.trimStart().startsWith('#')) lines.push(code);
    }
  }
  return lines;
}

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

  it('says on its first screen where gateway-compat runs, what it needs and how to install it today', () => {
    const firstScreen = readme.split('\n').slice(0, 30).join('\n');
    for (const fact of [
      'where Helm or your GitOps controller runs',
      'Argo CD',
      'never on the old nodes',
      'Node.js 20, 22 or 24',
      'glibc 2.28',
      'CentOS 7',
      'is to be published',
      'node bin/gateway-compat.mjs',
      'npm install --global ./gateway-compat-0.2.0.tgz',
    ]) {
      expect(firstScreen, fact).toContain(fact);
    }
    const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(firstScreen).toContain(`gateway-compat-${version}.tgz`);
  });

  it('names the repository address package.json and the Helm plugin give as one that is to be published, in both languages', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      homepage: string;
      bugs: { url: string };
      repository: { url: string };
    };
    const address = /^git\+(https:\/\/github\.com\/[^/]+\/[^/]+?)\.git$/.exec(pkg.repository.url)?.[1] as string;
    expect(address).toBeDefined();
    expect(pkg.homepage.startsWith(`${address}#`)).toBe(true);
    expect(pkg.bugs.url).toBe(`${address}/issues`);
    const plugin = readFileSync(path.join(REPO_ROOT, 'helm-plugin/gateway-compat/plugin.yaml'), 'utf8');
    expect(plugin).toMatch(new RegExp(`^sourceURL: ${address}\\s+# where the project is to be published`, 'm'));
    const install = /\*\*Install \(what works today\):\*\*([\s\S]*?)\n\n/.exec(readme)?.[1] ?? '';
    expect(install).toContain(`\`${address}\``);
    expect(install).toMatch(/is to be published[\s\S]*neither exists yet/);
    expect(chinese).toContain(`\`${address}\``);
    // Anywhere else the address would be a link into a repository that does not exist yet.
    for (const [name, text] of [
      ['README.md', readme],
      ['docs/zh/README.md', chinese],
    ] as const) {
      expect(text.split(address).length - 1, name).toBe(1);
    }
  });

  it('shows the real explain answer for the recorded LXC error, under "I have this error"', () => {
    const result = runCli(['explain', '--file', 'test/fixtures/explain/runtime-apparmor/input.txt'], undefined);
    expect(result.status).toBe(0);
    const troubleshooting = readme.slice(readme.indexOf('## Troubleshooting\n'));
    expect(troubleshooting.startsWith('## Troubleshooting\n\n### I have this error\n')).toBe(true);
    expect(troubleshooting).toContain(result.stdout);
  });

  it('starts with the two set-up commands, and the first one runs', () => {
    const commands = [...readme.matchAll(/^npm ci && (.+)$/gm)].map((match) => match[1]);
    expect(commands).toEqual(['node bin/gateway-compat.mjs --net-bind-service < examples/istio-gateway.yaml', 'npm test']);
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

  it('the Chinese quick start says the same: every command in it is one the English README has', () => {
    const lines = codeLines(chinese);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(readme, line).toContain(line.trim());
    for (const fact of ['glibc 2.28', 'CentOS 7', 'Argo CD', 'Node.js 20、22 或 24', 'gateway-compat-0.2.0.tgz'])
      expect(chinese, fact).toContain(fact);
    const help = runCli(['--help'], undefined).stdout;
    for (const flag of new Set([...chinese.matchAll(/--[a-z][a-z-]+/g)].map((match) => match[0]))) {
      if (flag.startsWith('--post-renderer') || ['--exec', '--enable-alpha-plugins', '--global', '--install', '--keyring'].includes(flag))
        continue; // the hosts' own flags
      expect(help, flag).toContain(flag);
    }
  });

  it('"Which path is mine?": every row links a recipe that exists and names test files that exist', () => {
    const hosts = readFileSync(path.join(REPO_ROOT, 'docs/hosts.md'), 'utf8');
    const slugs = new Set(
      [...hosts.matchAll(/^#{2,3} (.+)$/gm)].map((match) =>
        (match[1] ?? '')
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const section = /## Which path is mine\?\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| you') && !line.startsWith('| ---'));
    expect(rows.map((row) => row.split(' | ')[0]?.slice(2))).toEqual([
      'Helm 3, by hand',
      'Helm 4',
      'helmfile',
      'Flux',
      'Argo CD',
      'Sail operator',
      'istioctl',
      'kustomize',
      'kpt',
      'rendered manifests in git',
    ]);
    for (const row of rows) {
      const anchors = [...row.matchAll(/\(docs\/hosts\.md#([^)]+)\)/g)].map((match) => match[1]);
      expect(anchors.length, row).toBeGreaterThan(0);
      for (const anchor of anchors) expect(slugs, `${row}: #${anchor}`).toContain(anchor);
      const tests = [...row.matchAll(/`(test\/e2e\/[a-z0-9-]+\.test\.ts)`/g)].map((match) => match[1] as string);
      expect(tests.length, row).toBeGreaterThan(0);
      for (const test of tests) expect(existsSync(path.join(REPO_ROOT, test)), test).toBe(true);
    }
  });

  it('names fixture paths and golden cases that exist (test/fixtures/<rule>/<case>/)', () => {
    const docs = ['README.md', 'docs/reporting.md', 'docs/guarantees.md', 'docs/hosts.md'].map((file) =>
      readFileSync(path.join(REPO_ROOT, file), 'utf8'),
    );
    const paths = docs.flatMap((text) => [...text.matchAll(/`(test\/fixtures\/[^`<>*\s]+)`/g)].map((match) => match[1] as string));
    expect(paths.length).toBeGreaterThan(3);
    for (const file of paths) expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
    // the golden cases the guarantee table cites by name: fixture `a/b` or fixtures `a/b`, `c/d`
    const cited = [...readme.matchAll(/fixtures? ((?:`[^`]+`(?:, )?)+)/g)].flatMap((match) =>
      [...(match[1] as string).matchAll(/`([^`]+)`/g)].map((name) => name[1] as string),
    );
    expect(cited.length).toBeGreaterThan(4);
    for (const name of cited) expect(existsSync(path.join(REPO_ROOT, 'test/fixtures', name, 'input.yaml')), name).toBe(true);
    expect(readme).toContain('`test/fixtures/<rule-id>/<case>/`');
    expect(readme).toContain('UPDATE_GOLDEN=1');
  });
});

// Issue 11, items 10 and 11: bounded reads and honest messages. Every file the tool reads is
// size-bounded like stdin, whatever it says its size is (/dev/zero says 0); every way to call it
// wrongly gets a clear message and the right exit code, never "internal error" or a silent success.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import { gateway, gatewayDeployment, stream } from '../helpers/manifests.js';
import { POST_RENDER, runCli } from '../helpers/run-cli.js';

const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-messages-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shell = (command: string, input = '') =>
  spawnSync('bash', ['-c', command], { input, encoding: 'utf8', timeout: 120_000, env: { ...process.env, POST_RENDER } });

describe('bounded reads: every file the tool reads is size-bounded like stdin', () => {
  for (const flag of ['--config', '--gateway-template']) {
    it(`${flag} /dev/zero is refused as larger than the limit (not read until memory runs out)`, () => {
      const result = runCli([flag, '/dev/zero'], gatewayDeployment());
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^error: ${flag} /dev/zero is larger than the limit of 16777216 bytes`, 'm'));
    });
  }
  for (const [args, message] of [
    [
      ['nodes', '--file', '/dev/zero'],
      /^gateway-compat nodes: cannot read \/dev\/zero: \/dev\/zero is larger than the limit of \d+ bytes/m,
    ],
    [
      ['nodes', '--pods', '/dev/zero'],
      /^gateway-compat nodes: cannot read --pods \/dev\/zero: \/dev\/zero is larger than the limit of \d+ bytes/m,
    ],
    [['doctor', '--file', '/dev/zero'], /^gateway-compat doctor: --file \/dev\/zero is larger than the limit of \d+ bytes/m],
    [['explain', '--file', '/dev/zero'], /^gateway-compat explain: --file \/dev\/zero is larger than the limit of \d+ bytes/m],
  ] as const) {
    it(`${args.join(' ')} is refused as larger than the limit (was read until memory ran out, or hung)`, () => {
      const result = runCli([...args], '{"apiVersion": "v1", "kind": "List", "items": []}\n');
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    });
  }
});

describe('honest messages and exit codes', () => {
  it('a write error on stdout (/dev/full) is an error line and exit 1, never a success report', () => {
    const result = shell('node "$POST_RENDER" > /dev/full', gatewayDeployment());
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot write the output to stdout: no space left on the device/m);
    expect(result.stderr).not.toMatch(/removed sysctl|gateway-compat: \d+ change/);
  });

  it('stdin that is a directory: a usage error, exit 2', () => {
    const result = shell(`node "$POST_RENDER" < '${dir}'`);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: stdin is a directory/m);
    expect(result.stderr).not.toMatch(/internal error/);
  });

  it('an alias bomb fed to nodes: a clear error, exit 2, not an internal error', () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      ...'bcde'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcd'[i]}`).join(',')}]`),
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    const result = runCli(['nodes'], `${bomb}\n`);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('expands YAML aliases too often');
    expect(result.stderr).not.toMatch(/internal error/);
  });

  for (const name of ['/dev/stdin', '/proc/self/fd/0', '-']) {
    it(`--gateway-template ${name} with piped input is a usage error (it would eat the manifests and answer empty)`, () => {
      const result = runCli(['--gateway-template', name], gatewayDeployment());
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`--gateway-template ${name} reads stdin, which carries the manifests`);
    });
  }

  it('--config naming the file stdin comes from is refused too', () => {
    const file = path.join(dir, 'same.yaml');
    writeFileSync(file, gatewayDeployment());
    const result = shell(`node "$POST_RENDER" --config '${file}' < '${file}'`);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('reads stdin, which carries the manifests');
  });

  for (const [flags, message] of [
    [['--options-configmap', ''], /spec\.gatewayApi\.optionsConfigMap must match pattern/],
    [['--config', ''], /--config needs a file name, not an empty string/],
    [['--gateway-template', ''], /spec\.injectionTemplate\.file must match pattern|--gateway-template needs a file name/],
    [['--max-input-size', ''], /"" is not a size/],
  ] as const) {
    it(`${flags[0]} "" is an error naming it, never silently ignored`, () => {
      const result = runCli([...flags], stream(gateway(), gatewayDeployment()));
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    });
  }
  for (const [what, line, column, message] of [
    ['*nothing', 22, 14, 'an alias refers to no anchor defined before it: *nothing'],
    ['{a: [}', 22, 19, 'Flow sequence in block collection must be sufficiently indented'],
  ] as const) {
    it(`an error inside data.config (other: ${what}) names its own line of the stream, not the config: | line`, () => {
      const injector = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio-sidecar-injector\n  namespace: istio-system\ndata:\n  values: '{}'\n  config: |\n    policy: enabled\n    templates:\n      gateway: |\n        spec:\n          securityContext:\n            sysctls:\n            - name: net.ipv4.ip_unprivileged_port_start\n              value: "0"\n      other: ${what}\n`;
      const result = runCli([], `apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n---\n${injector}`);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `^error: document 2 at line ${line}:${column}: data\\.config of istio-sidecar-injector is not valid YAML \\(${message.replace(/[*()[\]{}.]/g, '\\$&')}`,
        ),
      );
      expect(result.stderr).toContain(`${line} |       other: ${what}\n`);
    });
  }

  it('control characters from resource names are escaped in the report (text and --check), never sent to the terminal', () => {
    const input =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "gw\\e[31mRED\\rX\\nY", namespace: "ns\\u0007"}\nspec: {template: {spec: {securityContext: {sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]}, containers: [{name: a}]}}}\n';
    const result = runCli([], input);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(result.stderr).toContain('Deployment ns\\u0007/gw\\u001b[31mRED\\u000dX\\u000aY: removed sysctl');
    const file = path.join(dir, 'control.yaml');
    writeFileSync(file, input);
    const checked = runCli(['--check', file], undefined);
    expect(checked.status).toBe(1);
    expect(checked.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});

describe('with --report json every error is the JSON object too (schemas/report.schema.json)', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);
  const cases: [string, string, number, string | undefined][] = [
    ['stdin that is a directory', `node "$POST_RENDER" --report json < '${dir}'`, 2, undefined],
    ['an unknown option', 'node "$POST_RENDER" --report json --bogus < /dev/null', 2, undefined],
    ['--options-configmap ""', `node "$POST_RENDER" --report=json --options-configmap ''`, 1, gateway()],
    ['a write error on stdout (/dev/full)', 'node "$POST_RENDER" --report json > /dev/full', 1, gatewayDeployment()],
    [
      '--gateway-template /dev/stdin with piped input',
      'node "$POST_RENDER" --report json --gateway-template /dev/stdin',
      2,
      gatewayDeployment(),
    ],
    ['invalid YAML', 'node "$POST_RENDER" --report json --validate', 1, 'a: [\n'],
  ];
  for (const [what, command, exitCode, input] of cases) {
    it(`${what}: one report object on stderr, with the error, its exit code and nothing else`, () => {
      const result = shell(command, input ?? '');
      expect(result.status).toBe(exitCode);
      expect(result.stdout).toBe('');
      const report = JSON.parse(result.stderr) as { error: { message: string; exitCode: number; line?: number }; changes: unknown[] };
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(report.error.exitCode).toBe(exitCode);
      expect(report.error.message).toMatch(/\S/);
      expect(report.changes).toEqual([]);
      if (what === 'invalid YAML') expect(report.error).toMatchObject({ document: 1, line: 2, column: 1 });
    });
  }
});

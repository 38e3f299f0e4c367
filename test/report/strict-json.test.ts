// --strict with --report json: the failure is reported as the JSON object, and stderr holds
// nothing else (scripts parse it), while stdout stays empty and the exit code is 1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

describe('--strict --report json', () => {
  it('fails with the warnings as one JSON object on stderr', () => {
    const input = readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml'));
    const result = runCli(['--strict', '--report', 'json'], input);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const report = JSON.parse(result.stderr) as { warnings: { code: string }[]; changes: unknown[] };
    expect(report.warnings.map((w) => w.code)).toContain('privileged-port');
    expect(report.changes.length).toBeGreaterThan(0);
  });

  it('names each resource in the text form', () => {
    const input = readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml'));
    const result = runCli(['--strict'], input);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[privileged-port] Deployment istio-ingress/istio-ingress: this gateway will listen');
  });
});

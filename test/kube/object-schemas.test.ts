// Every object the tool edits or adds must still be accepted by the API server: Gateways by the
// Gateway API standard CRDs v1.2.0 and v1.4.1, Istio resources by the Sail operator CRD, and
// ConfigMaps must hold only strings in `data`. The CRDs' openAPIV3Schema are read from the corpus
// and compiled with ajv.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { transform } from '../../src/transform.js';
import { CORPUS, REPO_ROOT } from '../helpers/run-cli.js';

interface Crd {
  spec: { names: { kind: string }; group: string; versions: { name: string; schema: { openAPIV3Schema: object } }[] };
}

function loadCrd(file: string): Map<string, ValidateFunction> {
  const crd = parseAllDocuments(readFileSync(path.join(CORPUS, file), 'utf8'))
    .map((doc) => doc.toJS() as Crd)
    .find((object) => object?.spec?.versions)!;
  // CRD schemas are OpenAPI v3 with Kubernetes extensions (x-kubernetes-*), which ajv should ignore.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const byApiVersion = new Map<string, ValidateFunction>();
  for (const version of crd.spec.versions) {
    byApiVersion.set(`${crd.spec.group}/${version.name}`, ajv.compile(version.schema.openAPIV3Schema));
  }
  return byApiVersion;
}

const gatewayCrds = {
  'v1.2.0': loadCrd('gateway-api/crd-standard/v1.2.0/gateway.networking.k8s.io_gateways.yaml'),
  'v1.4.1': loadCrd('gateway-api/crd-standard/v1.4.1/gateway.networking.k8s.io_gateways.yaml'),
};
const sailCrd = loadCrd('sail-operator/crds/sailoperator.io_istios.yaml');

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, unknown>;
}

function outputObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => !!object);
}

function expectValid(validate: ValidateFunction | undefined, object: KubeObject, label: string): void {
  expect(validate, `${label}: no schema for ${object.apiVersion}`).toBeDefined();
  const valid = validate!(object);
  expect(valid, `${label} ${object.kind} ${object.metadata.name}: ${JSON.stringify(validate!.errors)}`).toBe(true);
}

const gatewayInputs = [
  path.join(CORPUS, 'gateway-api/conformance/gateway-infrastructure.yaml'),
  path.join(CORPUS, 'gateway-api/examples/basic-http.yaml'),
  path.join(CORPUS, 'istio/gateway-api-inputs/master/gateway-invalid-parameters-ref.yaml'),
  path.join(REPO_ROOT, 'test/fixtures/gateway-options/adds-configmaps/input.yaml'),
  path.join(REPO_ROOT, 'test/fixtures/gateway-options/merge-existing-configmap/input.yaml'),
  path.join(REPO_ROOT, 'examples/istio-gateway.yaml'),
];

describe('edited and added objects validate against their schemas', () => {
  for (const file of gatewayInputs) {
    for (const flags of [{}, { netBindService: true, runAsRoot: true }]) {
      it(`${path.relative(REPO_ROOT, file)} ${JSON.stringify(flags)}`, () => {
        const input = readFileSync(file, 'utf8');
        // The conformance file uses a placeholder class; treat every class as ours here.
        const result = transform(input, { config: { ...flags, gatewayApi: { gatewayClassNames: ['*'] } } });
        const objects = outputObjects(result.text);
        const gateways = objects.filter((object) => object.kind === 'Gateway');
        expect(gateways.length).toBeGreaterThan(0);
        for (const gateway of gateways) {
          for (const [release, crd] of Object.entries(gatewayCrds)) {
            const apiVersion = gateway.apiVersion;
            if (!crd.has(apiVersion)) continue;
            expectValid(crd.get(apiVersion), gateway, `Gateway API ${release}`);
          }
        }
        for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
          for (const value of Object.values(configMap.data ?? {})) expect(typeof value).toBe('string');
        }
      });
    }
  }

  it('the added parametersRef is the shape the v1.2.0 CRD requires', () => {
    const input = readFileSync(path.join(REPO_ROOT, 'test/fixtures/gateway-options/adds-configmaps/input.yaml'), 'utf8');
    const gateway = outputObjects(transform(input).text).find((object) => object.kind === 'Gateway') as unknown as {
      spec: { infrastructure: { parametersRef: unknown } };
    };
    expect(gateway.spec.infrastructure.parametersRef).toEqual({ group: '', kind: 'ConfigMap', name: 'asm-kube-gateway-options' });
    // A wrong shape must be refused by the same validator, or this test proves nothing.
    const broken = structuredClone(gateway) as unknown as KubeObject & { spec: { infrastructure: { parametersRef: object } } };
    broken.spec.infrastructure.parametersRef = { group: '', kind: 'ConfigMap' };
    expect(gatewayCrds['v1.2.0'].get('gateway.networking.k8s.io/v1')!(broken)).toBe(false);
  });

  const template = readFileSync(path.join(CORPUS, 'istio/injection-templates/1.27.0/gateway-injection-template.yaml'), 'utf8');
  const istioInputs = [
    'sail-operator/samples/istio-sample.yaml',
    'sail-operator/samples/istio-sample-gw-api.yaml',
    'sail-operator/samples/ambient/istio-sample.yaml',
  ];
  for (const file of istioInputs) {
    it(`Istio resource ${file} with --gateway-template`, () => {
      const input = readFileSync(path.join(CORPUS, file), 'utf8');
      const result = transform(input, { config: { netBindService: true, runAsRoot: true }, gatewayTemplate: template });
      expect(result.changes.some((change) => change.rule === 'injectionTemplates')).toBe(true);
      const istio = outputObjects(result.text).find((object) => object.kind === 'Istio') as unknown as KubeObject & {
        spec: { values: { sidecarInjectorWebhook: { templates: { gateway: string } } } };
      };
      expectValid(sailCrd.get(istio.apiVersion), istio, 'Sail CRD');
      expect(istio.spec.values.sidecarInjectorWebhook.templates.gateway).not.toContain('ip_unprivileged_port_start');
    });
  }

  it('an edited Istio resource that already has a gateway template still validates', () => {
    const input = readFileSync(path.join(REPO_ROOT, 'test/fixtures/injection-templates/istio-cr-with-gateway-template/input.yaml'), 'utf8');
    const istio = outputObjects(transform(input).text)[0]!;
    expectValid(sailCrd.get(istio.apiVersion), istio, 'Sail CRD');
    const broken = { ...istio, spec: { values: { sidecarInjectorWebhook: { templates: { gateway: 42 } } } } };
    expect(sailCrd.get(istio.apiVersion)!(broken)).toBe(false);
  });
});

// The shared corpus (../shared/corpus, read in place, never copied): which of its files are
// manifest streams a post-renderer can receive, and their documents as exact source slices.
//
// Left out on purpose: Go-template sources (istio/charts/*/templates/*, istio/injection-templates/*),
// which are not YAML until Helm or istiod renders them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitStream } from '../../src/stream/split.js';
import { CORPUS } from './run-cli.js';

export const CORPUS_MANIFESTS = [
  'gateway-api/conformance/gateway-infrastructure.yaml',
  'gateway-api/conformance/gateway-invalid-parameters-ref.yaml',
  'gateway-api/crd-standard/v1.1.0/gateway.networking.k8s.io_gateways.yaml',
  'gateway-api/crd-standard/v1.2.0/gateway.networking.k8s.io_gateways.yaml',
  'gateway-api/crd-standard/v1.4.1/gateway.networking.k8s.io_gateways.yaml',
  'gateway-api/examples/basic-http.yaml',
  'istio/charts/gateway-1.27.0/values.yaml',
  'istio/charts/istiod-1.27.0/values.yaml',
  'istio/gateway-api-deployment-golden/1.27.0/customizations.yaml',
  'istio/gateway-api-deployment-golden/1.27.0/simple.yaml',
  'istio/gateway-api-inputs/master/gateway-invalid-parameters-ref.yaml',
  'istio/injection-golden/1.27.0/gateway.yaml',
  'istio/injection-golden/1.27.0/gateway.yaml.injected',
  'istio/rendered-helm/1.27.0/gateway-deployment.golden.yaml',
  'istio/rendered-helm/1.31.0-rc.0/base-webhook-install.golden.yaml',
  'istio/rendered-helm/1.31.0-rc.0/gateway-deployment.golden.yaml',
  'istio/rendered-helm/1.31.0-rc.0/istiod-waypoint-workload-socket.golden.yaml',
  'istio/rendered-istioctl/1.27.0/all_on.golden-show-in-gh-pull-request.yaml',
  'istio/rendered-istioctl/1.27.0/pilot_default.golden.yaml',
  'sail-operator/crds/sailoperator.io_istios.yaml',
  'sail-operator/docs/east-west-gateway-net1.yaml',
  'sail-operator/samples-0.1.0/istio-sample-kubernetes.yaml',
  'sail-operator/samples/ambient/istio-sample.yaml',
  'sail-operator/samples/ingress-gateway.yaml',
  'sail-operator/samples/istio-sample-gw-api.yaml',
  'sail-operator/samples/istio-sample.yaml',
  'third-party-rendered/kubeflow-manifests/install.yaml',
  'third-party-rendered/net-istio/istio-kind-no-mesh/istio.yaml',
] as const;

export function readCorpusFile(relative: string): string {
  return readFileSync(path.join(CORPUS, relative), 'utf8');
}

export interface CorpusDocument {
  readonly file: string;
  /** the document's exact text, without the separator line that opened it */
  readonly text: string;
}

/** Every document with content of the curated files, at most `maxBytes` long each. */
export function corpusDocuments(maxBytes = Infinity): CorpusDocument[] {
  const documents: CorpusDocument[] = [];
  for (const file of CORPUS_MANIFESTS) {
    for (const chunk of splitStream(readCorpusFile(file)).chunks) {
      if (!chunk.hasContent) continue;
      const text = chunk.text.replace(/^---[ \t]*\r?\n/, '');
      if (text.length <= maxBytes) documents.push({ file, text });
    }
  }
  return documents;
}

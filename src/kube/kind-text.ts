// Telling a CustomResourceDefinition from its text, without parsing it.
//
// CRDs are the largest documents of a render (Gateway API's are hundreds of KB, Sail's Istio CRD
// over a megabyte) and their schemas mention everything the pre-checks look for: the sysctl's
// name, istio-proxy, gateway.networking.k8s.io and Gateway, ConfigMap, sailoperator.io and Istio.
// No rule or warning concerns a CRD, so when the text says for sure that the document is one, it
// is never parsed (except under --validate, which parses everything).
//
// "For sure": exactly one `kind:` line at column 0, saying CustomResourceDefinition, and no line at
// column 0 that could put that line inside something else (a flow collection, a quoted or complex
// key, a tag, an anchor, an alias, a block scalar, a directive).
const CRD_KIND = /^kind:[ \t]*(["']?)CustomResourceDefinition\1[ \t]*(?:#.*)?\r?$/m;
const TOP_LEVEL_KIND = /^kind:/gm;
const UNUSUAL_TOP_LEVEL_LINE = /^[[{"'?!&*|>%]/m;

export function isCustomResourceDefinition(text: string): boolean {
  if (!text.includes('CustomResourceDefinition') || !CRD_KIND.test(text)) return false;
  if (UNUSUAL_TOP_LEVEL_LINE.test(text)) return false;
  TOP_LEVEL_KIND.lastIndex = 0;
  let kinds = 0;
  while (TOP_LEVEL_KIND.exec(text) && kinds < 2) kinds++;
  return kinds === 1;
}

// A kind written plainly or quoted on its line, nothing else but a comment.
const KIND_LINE = /^kind:[ \t]*(["']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?\r?$/m;

/**
 * The kind of the document's object when its text says so for sure, by the rule above (exactly one
 * `kind:` line at column 0, nothing at column 0 that could put it inside something else); undefined
 * when the text cannot tell. Valid YAML then has exactly that kind at its root.
 */
export function sureKindOf(text: string): string | undefined {
  const line = KIND_LINE.exec(text);
  if (!line || UNUSUAL_TOP_LEVEL_LINE.test(text)) return undefined;
  TOP_LEVEL_KIND.lastIndex = 0;
  let kinds = 0;
  while (TOP_LEVEL_KIND.exec(text) && kinds < 2) kinds++;
  return kinds === 1 ? line[2] : undefined;
}

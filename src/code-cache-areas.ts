// Which parts of the bundle this run compiled, for the launcher's V8 code cache
// (src/launcher/code-cache.ts): a cache holds the functions compiled by the run that wrote it, and
// a later run writes it again only when it compiled a part the cache lacks. One number per run
// (a transform) would leave out whatever the first run did not need: after a gateway chart's
// render wrote the cache, every istiod render compiled the injection template code anew.

/** A transform ran: the parser, the rules and the emitter. */
export const AREA_TRANSFORM = 1;
/** An injection template was edited (src/gotemplate/): istiod renders, Istio resources. */
export const AREA_TEMPLATES = 2;
/** A diff was rendered (--check over files, --diff): the diff library is a large part of the bundle. */
export const AREA_DIFF = 4;

let areas = 0;

export function markCompiled(area: number): void {
  areas |= area;
}

/** The areas this run compiled (a bit each; 0: start-up only). */
export function compiledAreas(): number {
  return areas;
}

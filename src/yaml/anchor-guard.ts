// Text patches cannot follow YAML anchors. A patch that removes an anchored node leaves the
// aliases of its anchor dangling (the output no longer parses), and one that changes an anchored
// node changes every alias of it as well, silently, far from the edit. A tool that re-serializes
// whole objects sees the expanded values; we patch text to keep the user's bytes, so each edit is
// checked here: every alias must resolve, after the edit, to what it resolved to before. The user
// gets an error naming the anchor and the alias, and how to write the copy out.
import { visit, type Document, type Node } from 'yaml';
import { UnsupportedYamlError } from './node-edits.js';

interface AliasUse {
  readonly name: string;
  /** offset of the alias */
  readonly at: number;
  /** the node it resolves to; undefined when it dangles */
  readonly target: Node | undefined;
  /** the resolved value, as JSON */
  readonly value: string | undefined;
}

const MAX_ALIAS_COUNT = 100;

function valueOf(node: Node, doc: Document): string {
  const value: unknown = node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `${item}n` : item instanceof Uint8Array ? Array.from(item) : item,
  );
}

function aliasesOf(doc: Document): AliasUse[] {
  const uses: AliasUse[] = [];
  visit(doc, {
    Alias(_key, node) {
      const target = node.resolve(doc);
      uses.push({ name: node.source, at: node.range?.[0] ?? 0, target, value: target && valueOf(target, doc) });
    },
  });
  return uses;
}

// An alias (`*name`) starts a node: at a line start, after white space, or right after a flow
// indicator or a JSON-like key's colon. A `*` anywhere else (`hostname: "*.example.com"`, a glob
// inside a scalar) cannot be one.
const ALIAS_START = /(?:^|[\s[{,:])\*/m;

/** Whether a text may hold an alias: a `*` where a node can start. */
export function mightHoldAlias(text: string): boolean {
  return text.includes('*') && ALIAS_START.test(text);
}

/** Whether a text may hold an alias of an anchor at all: both indicators appear somewhere. */
export function mayUseAnchors(text: string): boolean {
  return text.includes('&') && text.includes('*');
}

/**
 * Refuses an edit (from `before`, the parse of `beforeText`, to `after`) that leaves an alias
 * dangling or changes what one resolves to. Edits never add aliases, so the aliases after are
 * those before minus the ones inside removed text, in the same order.
 */
export function checkAnchorEdits(beforeText: string, before: Document, after: Document, lineOf: (offset: number) => string): void {
  const was = aliasesOf(before);
  if (was.length === 0) return;
  let next = 0;
  for (const now of aliasesOf(after)) {
    while (next < was.length && was[next]!.name !== now.name) next++;
    const old = was[next++];
    if (!old?.target) {
      throw new UnsupportedYamlError(
        `this edit leaves the alias *${now.name} without its anchor`,
        0,
        'write the aliased content out instead of using the anchor, then run again',
      );
    }
    if (now.value !== old.value) refuse(beforeText, old, now.target ? 'change' : 'remove', lineOf);
  }
}

function refuse(beforeText: string, alias: AliasUse, what: 'remove' | 'change', lineOf: (offset: number) => string): never {
  const start = alias.target?.range?.[0] ?? 0;
  // the `&name` property sits before the node's own range (`sysctls: &list` above `- name:`)
  const property = beforeText.lastIndexOf(`&${alias.name}`, start);
  const consequence =
    what === 'remove'
      ? 'the alias would be left without its anchor, and the output would not parse'
      : 'the aliased copy would change with it, silently';
  throw new UnsupportedYamlError(
    `this edit would ${what} the node anchored &${alias.name}, which the alias *${alias.name} at line ${lineOf(alias.at)} refers to: ${consequence}`,
    property >= 0 ? property : start,
    `replace *${alias.name} with a copy of the anchored content (and drop &${alias.name} if no other alias uses it), then run again; gateway-compat edits the text and does not follow aliases`,
  );
}

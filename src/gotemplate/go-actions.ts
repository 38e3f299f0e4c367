// Go template actions (`{{ ... }}`): where one ends (a quoted string or a comment may hold `}}`)
// and what it does to the shape of the output: opens, branches or closes a block, prints text we
// cannot see, or prints nothing. Line classification needs this to tell a Go control line from
// YAML, and the YAML scanners need it to step over actions written inside values.

/** What a Go action does to the shape of the output. */
export type Control = 'open' | 'branch' | 'else' | 'end';

interface ActionScan {
  controls: Control[];
  /** An action prints something (toYaml, a variable...) whose YAML we cannot see. */
  printsOutput: boolean;
  /** Literal text outside the actions, on a line that starts with an action. */
  hasText: boolean;
  /** An action is still open at the end of the text (it continues on the next line). */
  unclosed: boolean;
}

/** Index of the `}}` that closes an action whose body starts at `from`, or -1. */
export function findActionClose(text: string, from: number): number {
  const body = /^-?\s*/.exec(text.slice(from));
  const start = from + (body ? body[0].length : 0);
  if (text.startsWith('/*', start)) {
    const commentEnd = text.indexOf('*/', start + 2);
    return commentEnd < 0 ? -1 : text.indexOf('}}', commentEnd + 2);
  }
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === '`' || ch === "'") {
      const close = findGoStringEnd(text, i);
      if (close < 0) return -1;
      i = close;
    } else if (ch === '}' && text[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

function findGoStringEnd(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (quote !== '`' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function classifyAction(inner: string): Control | 'silent' | 'output' {
  const body = inner.replace(/^-\s/, '').replace(/\s-$/, '').trim();
  if (body.startsWith('/*')) return 'silent';
  const word = /^(if|else|end|range|with|define|block|break|continue)\b/.exec(body)?.[1];
  if (word === 'if' || word === 'range' || word === 'with' || word === 'define' || word === 'block') return 'open';
  if (word === 'else') return body === 'else' ? 'else' : 'branch';
  if (word === 'end') return 'end';
  if (word === 'break' || word === 'continue') return 'silent';
  if (/^\$\w*\s*:?=/.test(body)) return 'silent';
  return 'output';
}

export function scanActions(text: string): ActionScan {
  const scan: ActionScan = { controls: [], printsOutput: false, hasText: false, unclosed: false };
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    const literal = text.slice(cursor, open < 0 ? text.length : open);
    if (/\S/.test(literal)) scan.hasText = true;
    if (open < 0) break;
    const close = findActionClose(text, open + 2);
    if (close < 0) {
      scan.unclosed = true;
      break;
    }
    const kind = classifyAction(text.slice(open + 2, close));
    if (kind === 'output') scan.printsOutput = true;
    else if (kind !== 'silent') scan.controls.push(kind);
    cursor = close + 2;
  }
  return scan;
}

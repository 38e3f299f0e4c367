// How the kubelet reads a sysctl name: `net.ipv4.ip_unprivileged_port_start` and
// `net/ipv4/ip_unprivileged_port_start` are the same sysctl (k8s.io/component-helpers
// node/util/sysctl NormalizeName: when the first separator is a slash, slashes and dots swap).
// YAML adds its own spellings (escapes in double-quoted scalars, `"ip\x5funprivileged..."`), which
// the parser resolves; the text pre-checks must not miss them either.
import { rememberedCheck } from './text-memo.js';

/** The dotted name the kubelet uses for a sysctl written in either form. */
export function normalizeSysctlName(name: string): string {
  const first = name.search(/[./]/);
  if (first === -1 || name[first] === '.') return name;
  return name.replace(/[./]/g, (separator) => (separator === '.' ? '/' : '.'));
}

/** Does `name` (as parsed, in either form) denote one of `names` (as configured, in either form)? */
export function isNamedSysctl(name: string | undefined, names: readonly string[]): boolean {
  if (name === undefined || name === '') return false;
  const wanted = normalizeSysctlName(name);
  return names.some((candidate) => normalizeSysctlName(candidate) === wanted);
}

/**
 * Could this text hold one of the sysctls, however it is spelled? The name in either form, or a
 * double-quoted escape (any character of the name can be written `\xNN`) near a `sysctls` key.
 */
export function mightMentionSysctl(text: string, names: readonly string[]): boolean {
  // remembered per list of names (the configuration's), like its spellings
  return rememberedCheck(spellingsOf(names), text, mentionsSpelling);
}

function mentionsSpelling(text: string, spellings: readonly string[]): boolean {
  for (const spelling of spellings) if (text.includes(spelling)) return true;
  return text.includes('\\') && text.includes('sysctls');
}

// The spellings of a configured list, made once per list: the check runs on every document.
const spellings = new WeakMap<readonly string[], readonly string[]>();
function spellingsOf(names: readonly string[]): readonly string[] {
  let known = spellings.get(names);
  if (!known) {
    known = names
      .filter((name) => name !== '')
      .flatMap((name) => {
        const dotted = normalizeSysctlName(name);
        return [dotted, toSlashes(dotted)];
      });
    spellings.set(names, known);
  }
  return known;
}

function toSlashes(dotted: string): string {
  return dotted.replace(/[./]/g, (separator) => (separator === '.' ? '/' : '.'));
}

// The answers of the cheap text checks (text-checks.ts, sysctl-names.ts), remembered while a
// transform runs. The same check reaches the same document from several places: the rules'
// pre-checks, the warnings' searches, the stream-wide rules' own passes over the stream. Each is a
// few `includes` over the whole text, and most of a render's bytes are in large ConfigMaps and
// Secrets that no check finds anything in, so each is scanned once per check, not once per caller.
// Outside a transform nothing is remembered (nothing would ever let the texts go).

/**
 * check -> text -> answer, for texts up to SHORT_TEXT characters: V8 hashes such a string whole
 * (once; the hash stays with the string), so a Map finds it in constant time.
 */
let short: Map<object, Map<string, boolean>> | undefined;
/**
 * check -> text length -> the longer texts of that length, with their answers. V8 hashes a longer
 * string by its length alone, so a Map keyed by them would compare every text of one length with
 * each other (quadratic in a stream of equal-sized documents that differ near their end); here at
 * most TEXTS_PER_LENGTH of one length are kept, and a text beyond those is checked each time, as
 * without the memory. Long texts of exactly equal length are rare.
 */
let long: Map<object, Map<number, { text: string; answer: boolean }[]>> | undefined;
const SHORT_TEXT = 16383;
const TEXTS_PER_LENGTH = 2;
/** @internal how many texts each check really scanned while remembering (test/kube/text-memo.test.ts) */
let scans: Map<object, number> | undefined;

/** `check(text)`, remembered under `check` (an object that names the check) while a transform runs. */
export function rememberedCheck(key: object, text: string, check: (text: string) => boolean): boolean {
  if (!short || !long) return check(text);
  if (text.length <= SHORT_TEXT) {
    let answers = short.get(key);
    if (!answers) short.set(key, (answers = new Map()));
    let answer = answers.get(text);
    if (answer === undefined) {
      answers.set(text, (answer = scanned(key, text, check)));
    }
    return answer;
  }
  let byLength = long.get(key);
  if (!byLength) long.set(key, (byLength = new Map()));
  let known = byLength.get(text.length);
  if (!known) byLength.set(text.length, (known = []));
  for (const entry of known) if (entry.text === text) return entry.answer;
  const answer = scanned(key, text, check);
  if (known.length < TEXTS_PER_LENGTH) known.push({ text, answer });
  return answer;
}

function scanned(key: object, text: string, check: (text: string) => boolean): boolean {
  scans?.set(key, (scans.get(key) ?? 0) + 1);
  return check(text);
}

/** Runs `run` with the checks' answers remembered; they are forgotten when it returns (a nested call shares the outer memory). */
export function withChecksRemembered<T>(run: () => T): T {
  if (short) return run();
  short = new Map();
  long = new Map();
  try {
    return run();
  } finally {
    short = undefined;
    long = undefined;
  }
}

/** @internal For tests: runs `run` and returns how many texts each check scanned (by key). */
export function countingScans(run: () => void): Map<object, number> {
  const counted = new Map<object, number>();
  scans = counted;
  try {
    run();
  } finally {
    scans = undefined;
  }
  return counted;
}

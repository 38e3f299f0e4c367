// The answers of the cheap text checks (text-checks.ts, sysctl-names.ts), remembered while a
// transform runs. The same check reaches the same document from several places: the rules'
// pre-checks, the warnings' searches, the stream-wide rules' own passes over the stream. Each is a
// few `includes` over the whole text, and most of a render's bytes are in large ConfigMaps and
// Secrets that no check finds anything in, so each is scanned once per check, not once per caller.
// Outside a transform nothing is remembered (nothing would ever let the texts go).

/**
 * check -> text length -> the texts of that length checked, with their answers. Keyed by length,
 * not by the text: a Map keyed by a string hashes all of it (up to 16 K characters) on first use,
 * which costs about what the check saves; texts of one length are few, and comparing a text
 * with itself is immediate. At most TEXTS_PER_LENGTH texts of one length are kept (generated
 * documents of one length that differ only near their end would otherwise be compared whole with
 * every one before them); a text beyond those is checked each time, as without the memory.
 */
const TEXTS_PER_LENGTH = 2;
let remembered: Map<object, Map<number, { text: string; answer: boolean }[]>> | undefined;
/** @internal how many texts each check really scanned while remembering (test/kube/text-memo.test.ts) */
let scans: Map<object, number> | undefined;

/** `check(text)`, remembered under `check` (an object that names the check) while a transform runs. */
export function rememberedCheck(key: object, text: string, check: (text: string) => boolean): boolean {
  if (!remembered) return check(text);
  let byLength = remembered.get(key);
  if (!byLength) remembered.set(key, (byLength = new Map()));
  let known = byLength.get(text.length);
  if (!known) byLength.set(text.length, (known = []));
  for (const entry of known) if (entry.text === text) return entry.answer;
  const answer = check(text);
  if (known.length < TEXTS_PER_LENGTH) known.push({ text, answer });
  scans?.set(key, (scans.get(key) ?? 0) + 1);
  return answer;
}

/** Runs `run` with the checks' answers remembered; they are forgotten when it returns (a nested call shares the outer memory). */
export function withChecksRemembered<T>(run: () => T): T {
  if (remembered) return run();
  remembered = new Map();
  try {
    return run();
  } finally {
    remembered = undefined;
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

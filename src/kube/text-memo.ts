// The answers of the cheap text checks (text-checks.ts, sysctl-names.ts), remembered while a
// transform runs. The same check reaches the same document from several places: the rules'
// pre-checks, the warnings' searches, the stream-wide rules' own passes over the stream. Each is a
// few `includes` over the whole text, and most of a render's bytes are in large ConfigMaps and
// Secrets that no check finds anything in, so each is scanned once per check, not once per caller.
// Outside a transform nothing is remembered (nothing would ever let the texts go).

/** @internal check -> text -> answer, while a transform runs */
let remembered: Map<object, Map<string, boolean>> | undefined;
/** @internal how many texts each check really scanned while remembering (test/kube/text-memo.test.ts) */
let scans: Map<object, number> | undefined;

/** `check(text)`, remembered under `check` (an object that names the check) while a transform runs. */
export function rememberedCheck(key: object, text: string, check: (text: string) => boolean): boolean {
  if (!remembered) return check(text);
  let answers = remembered.get(key);
  if (!answers) remembered.set(key, (answers = new Map()));
  let answer = answers.get(text);
  if (answer === undefined) {
    answer = check(text);
    answers.set(text, answer);
    scans?.set(key, (scans.get(key) ?? 0) + 1);
  }
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

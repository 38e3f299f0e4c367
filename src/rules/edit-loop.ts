// Rules change one thing at a time and then look again at the freshly parsed document, so every
// position they use matches the current text. This runs such a step until it finds nothing to do.

const MAX_STEPS = 10_000;

export function editUntilDone(step: () => boolean): void {
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    if (!step()) return;
  }
  throw new Error('a rule kept finding work after 10000 edits; this is a bug');
}

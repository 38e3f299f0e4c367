// The stream as the transform holds it, for anything that looks across documents (stream-wide
// rules and the warnings): chunks, a cached parse of any of them, and places of objects in them.
import type { EditableDocument } from '../yaml/editable-document.js';
import { UnsupportedYamlError } from '../yaml/node-edits.js';
import { UserError } from '../errors.js';
import type { Chunk } from '../stream/split.js';
import { objectsIn, type KubeObject } from './objects.js';

/**
 * The stream as the transform holds it: chunks, and a cached parse of any of them. `parse` may
 * return undefined for a document that does not parse (see `lenientView`).
 */
export interface StreamView {
  readonly chunks: readonly Chunk[];
  parse(index: number): EditableDocument | undefined;
  /** whether the chunk is a CustomResourceDefinition, told from its text (never parsed for a rule) */
  isCrd(index: number): boolean;
}

/**
 * A view for looking only: a document that does not parse is skipped instead of failing the run.
 * Warnings must never turn a document no rule needed into an error; it passes through untouched.
 */
export function lenientView(view: StreamView): StreamView {
  const broken = new Set<number>();
  return {
    chunks: view.chunks,
    isCrd: (index) => view.isCrd(index),
    parse(index) {
      if (broken.has(index)) return undefined;
      try {
        return view.parse(index);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        broken.add(index);
        return undefined;
      }
    },
  };
}

/** Where an object lives: its chunk and its path inside the document (List items). */
export interface Place {
  readonly chunk: number;
  readonly path: readonly (string | number)[];
}

/** The object at a place, read from the document as it is now (after any edits). */
export function objectAtPlace(view: StreamView, place: Place): { ed: EditableDocument; object: KubeObject } | undefined {
  const ed = view.parse(place.chunk);
  if (!ed) return undefined;
  const key = place.path.join();
  const object = objectsIn(ed.doc).find((candidate) => candidate.path.join() === key);
  return object ? { ed, object } : undefined;
}

/**
 * The objects of a chunk, each handed to `visit`. An object written with YAML merge keys or aliases
 * where we read (findPair refuses to guess through them) is skipped: looking must never fail a run.
 */
export function eachObject(view: StreamView, index: number, visit: (object: KubeObject) => void): void {
  const ed = view.parse(index);
  if (!ed) return;
  for (const object of objectsIn(ed.doc)) {
    try {
      visit(object);
    } catch (error) {
      if (!(error instanceof UnsupportedYamlError)) throw error;
    }
  }
}

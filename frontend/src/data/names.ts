/**
 * What a series key is called on screen: its name without the prefixes every
 * key of a chart shares (`penalty/`, `decoupled/`, `layer:`, `block:`, `kind:`), and its
 * kind (kernel, bias, activity, add_loss, decoupled) as a separate marker, so a
 * legend of 50 terms does not repeat `penalty/` 50 times and "By kind" never
 * shows two entries with the same text.
 */
import { termKind } from "./tags";

export const DATA_NAME = "data loss";
const MODEL = "(model)";

export type KindMarker = "kernel" | "bias" | "activity" | "add_loss" | "decoupled";

/** The name a legend, tooltip or table shows for a series key. */
export function displayName(key: string): string {
  if (key === "data") return DATA_NAME;
  const inner = key.startsWith("decoupled:") ? key.slice("decoupled:".length) : key;
  if (inner === "other") return "other terms";
  if (inner.startsWith("layer:")) return inner === "layer:" ? MODEL : inner.slice("layer:".length);
  if (inner.startsWith("block:")) return inner === "block:" ? MODEL : inner.slice("block:".length);
  if (inner.startsWith("kind:")) return inner.slice("kind:".length);
  for (const family of ["penalty/", "decoupled/"]) {
    if (inner.startsWith(family)) return inner.slice(family.length);
  }
  return inner;
}

/**
 * The kind marker of a series key: `decoupled` for anything decayed by the
 * optimizer, the term's kind for a single penalty term, none for the data loss
 * and for groups (a layer mixes kinds; a kind group is named by its kind).
 */
export function kindMarker(key: string): KindMarker | null {
  if (key.startsWith("decoupled")) return "decoupled";
  if (!key.startsWith("penalty/")) return null;
  const kind = termKind(key.slice("penalty/".length));
  return kind === "other" ? null : kind;
}

/**
 * The tag contract, TypeScript twin of tb_regloss/tags.py.
 *
 * Every series is a TensorBoard scalar under `regloss/`: `total`, `data`,
 * `penalty/<key>` and `decoupled/<variable path>`. Both twins are tested
 * against tests/fixtures/tags.json.
 */

export const PREFIX = "regloss/";
const TOTAL = PREFIX + "total";
const DATA = PREFIX + "data";
const PENALTY_PREFIX = PREFIX + "penalty/";
const DECOUPLED_PREFIX = PREFIX + "decoupled/";

const ACTIVITY_SUFFIX = "/activity";
const ADD_LOSS_SUFFIX = "/add_loss";
const KERNEL_LEAVES = new Set(["kernel", "depthwise_kernel", "pointwise_kernel", "embeddings"]);

export type TagKind = "total" | "data" | "penalty" | "decoupled";
export type TermKind = "kernel" | "bias" | "activity" | "add_loss" | "other";

export interface ParsedTag {
  kind: TagKind;
  /** The term key for penalties and decoupled decay, else null. */
  key: string | null;
}

/** Splits a tag into kind and key; null for a tag outside the contract. */
export function parseTag(tag: string): ParsedTag | null {
  if (tag === TOTAL) return { kind: "total", key: null };
  if (tag === DATA) return { kind: "data", key: null };
  const prefixes: [TagKind, string][] = [
    ["penalty", PENALTY_PREFIX],
    ["decoupled", DECOUPLED_PREFIX],
  ];
  for (const [kind, prefix] of prefixes) {
    if (tag.startsWith(prefix) && tag.length > prefix.length) {
      return { kind, key: tag.slice(prefix.length) };
    }
  }
  return null;
}

/** Classifies a penalty key: kernel, bias, activity, add_loss or other. */
export function termKind(key: string): TermKind {
  if (key.endsWith(ACTIVITY_SUFFIX)) return "activity";
  if (key.endsWith(ADD_LOSS_SUFFIX)) return "add_loss";
  const leaf = key.slice(key.lastIndexOf("/") + 1);
  if (KERNEL_LEAVES.has(leaf)) return "kernel";
  if (leaf === "bias") return "bias";
  return "other";
}

/** The layer part of a penalty key: everything before the last `/`. */
export function termLayer(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash >= 0 ? key.slice(0, slash) : key;
}

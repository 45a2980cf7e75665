/**
 * The tag contract, TypeScript twin of tb_regloss/tags.py.
 *
 * Every series is a TensorBoard scalar under `regloss/`: `total`, `data`,
 * `penalty/<key>` and `decoupled/<key>`. Keys (contract v2) are
 * `<layer chain>/<variable.name>`, `<layer chain>/activity` or
 * `<layer chain>/add_loss`, the chain being the layer names below the fitted
 * model (`tower_a/proj/kernel`); a term of the model itself has a bare key
 * (`kernel`, `activity`); a key that would repeat ends in `#2`, `#3`…
 * (`d/kernel#2`); `unattributed/<i>` names a term traced to no layer.
 * `regloss/unverified` is no series but the mark of a run whose data +
 * penalties differed from the loss Keras reported; the plugin serves it
 * parsed, as a run's `unverified` (`parseUnverified`). Both twins are tested
 * against tests/fixtures/tags.json.
 */

export const PREFIX = "regloss/";
const TOTAL = PREFIX + "total";
const DATA = PREFIX + "data";
const PENALTY_PREFIX = PREFIX + "penalty/";
const DECOUPLED_PREFIX = PREFIX + "decoupled/";

const ACTIVITY = "activity";
const ADD_LOSS = "add_loss";
const KERNEL_LEAVES = new Set(["kernel", "depthwise_kernel", "pointwise_kernel", "embeddings"]);
// The `#N` that makes a repeated key unique: ASCII digits at the very end (no
// `m` flag, so `$` is the end of the key), as in tags.py.
const OCCURRENCE = /#[0-9]+$/;

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

/** The layer chain and the leaf of a key, its `#N` suffix dropped. */
function split(key: string): [layer: string, leaf: string] {
  const base = key.replace(OCCURRENCE, "");
  const slash = base.lastIndexOf("/");
  return [base.slice(0, Math.max(0, slash)), base.slice(slash + 1)];
}

/** Classifies a key: kernel, bias, activity, add_loss or other; a `#N` suffix does not change it. */
export function termKind(key: string): TermKind {
  const leaf = split(key)[1];
  if (leaf === ACTIVITY) return "activity";
  if (leaf === ADD_LOSS) return "add_loss";
  if (KERNEL_LEAVES.has(leaf)) return "kernel";
  if (leaf === "bias") return "bias";
  return "other";
}

/**
 * The layer chain of a key: everything before the last `/`, `#N` dropped;
 * `""` for a term of the model itself (`kernel`, `activity`, `variable#2`).
 */
export function termLayer(key: string): string {
  return split(key)[0];
}

/** What `regloss/dynamics/<quantity>/<key>` measures per weight and step (`tb_regloss.tags.DYNAMICS_QUANTITIES`). */
export const DYNAMICS_QUANTITIES = [
  "weight_norm",
  "update_norm",
  "angular_update",
  "angular_equilibrium",
  "penalty_grad_norm",
  "loss_grad_norm",
  "decay_ratio",
] as const;

export type DynamicsQuantity = (typeof DYNAMICS_QUANTITIES)[number];

/**
 * Splits a dynamics series name (its tag after `regloss/dynamics/`,
 * `decay_ratio/block_1/kernel`) into quantity and key; null for any other name
 * (the twin of `parse_dynamics_tag`).
 */
export function parseDynamicsName(name: string): { quantity: DynamicsQuantity; key: string } | null {
  const cut = name.indexOf("/");
  if (cut < 0) return null;
  const quantity = name.slice(0, cut);
  const key = name.slice(cut + 1);
  if (key === "" || !(DYNAMICS_QUANTITIES as readonly string[]).includes(quantity)) return null;
  return { quantity: quantity as DynamicsQuantity, key };
}

/**
 * A run's `regloss/unverified` mark: tb-regloss' data + penalties and the loss
 * Keras reported differed, on this Keras version (`tb_regloss.self_check`).
 */
export interface UnverifiedMark {
  regloss: number;
  keras: number;
  kerasVersion: string;
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/**
 * The mark as the plugin serves it (`{"regloss", "keras", "keras_version"}`,
 * what `parse_unverified` reads from the summary); null for anything else, so
 * a malformed mark is ignored as tags.py ignores it.
 */
export function parseUnverified(x: unknown): UnverifiedMark | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return null;
  const { regloss, keras, keras_version: kerasVersion } = x as Record<string, unknown>;
  if (!isFiniteNumber(regloss) || !isFiniteNumber(keras) || typeof kerasVersion !== "string") return null;
  return { regloss, keras, kerasVersion };
}

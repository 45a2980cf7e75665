/**
 * Band colors. A key's color comes from a hash of the key into a palette, so it
 * does not depend on which other keys a run has, on the order runs load in, or
 * on the page: the same term has the same color in every card and on every
 * reload. Two neighbouring bands whose hashes land in the same hue family would
 * be hard to tell apart, so the upper one moves on to the next free family —
 * deterministic, given the stack order. `data` and the merged `other` are grey.
 */

// Tableau 10, then its lighter companions: slot i and i + 10 share a hue family.
export const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
  "#a0cbe8", "#ffbe7d", "#ff9d9a", "#8cd17d", "#b6992d",
  "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#499894",
];
const FAMILIES = 10;
export const FIXED: Readonly<Record<string, string>> = {
  data: "#8a9bb0",
  other: "#b0b0b0",
  "decoupled:other": "#b0b0b0",
};

/** 32-bit FNV-1a of the key's UTF-16 code units: small, fast, well spread. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The palette slot of a key on its own. A decoupled term hashes like the
 * penalty on the same weight, so one weight has one color in both charts.
 */
export function slotOf(key: string): number {
  const identity = key.replace(/^decoupled:/, "").replace(/^(penalty|decoupled)\//, "");
  return hashKey(identity) % PALETTE.length;
}

/**
 * The colors of bands stacked in `keys` order (bottom first): each key's own
 * slot, moved up one family at a time while it shares a hue family with the
 * band just below it.
 */
export function bandColors(keys: readonly string[]): string[] {
  let below = -1;
  return keys.map((key) => {
    const fixed = FIXED[key];
    if (fixed !== undefined) {
      below = -1;
      return fixed;
    }
    let slot = slotOf(key);
    while (below >= 0 && slot % FAMILIES === below % FAMILIES) slot = (slot + 1) % PALETTE.length;
    below = slot;
    return PALETTE[slot];
  });
}

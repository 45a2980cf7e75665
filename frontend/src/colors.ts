/**
 * Stable colors per series key: the same term has the same color in every run
 * and across reloads. Keys get palette slots in the order they are first seen;
 * `data` and `other` have fixed colors.
 */

// Tableau 10 then its lighter companions: distinct, and readable on white and on dark grey.
const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
  "#a0cbe8", "#ffbe7d", "#ff9d9a", "#8cd17d", "#b6992d",
  "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#499894",
];
const FIXED: Record<string, string> = {
  data: "#8a9bb0",
  other: "#b0b0b0",
  "decoupled:other": "#b0b0b0",
};

export class ColorMap {
  private readonly slots = new Map<string, number>();

  /** Gives every key in `keys` a slot, in order, if it has none yet. */
  register(keys: Iterable<string>): void {
    for (const key of keys) {
      if (!(key in FIXED) && !this.slots.has(key)) this.slots.set(key, this.slots.size);
    }
  }

  color(key: string): string {
    const fixed = FIXED[key];
    if (fixed !== undefined) return fixed;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      this.register([key]);
      slot = this.slots.get(key)!;
    }
    if (slot < PALETTE.length) return PALETTE[slot];
    // Past the palette: golden-angle hues never repeat and stay apart.
    const hue = Math.round((slot * 137.508) % 360);
    return `hsl(${hue}, 55%, 58%)`;
  }
}

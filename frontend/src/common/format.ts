/** Number and text formats shared by the tooltips, the tables, the axes and the CSV download. */
import { format } from "d3-format";

const value = format(".4~g");
const tiny = format(".3~e"); // 4 significant digits, like `value`
/** Below this magnitude values are written as 8.341e-6, not 0.000008341, so a table cell keeps one line. */
const TINY = 1e-3;
const percent = format(".1%");
const count = format(",d");

export function formatValue(v: number | null): string {
  if (v === null) return "–";
  if (!Number.isFinite(v)) return String(v);
  return v !== 0 && Math.abs(v) < TINY ? tiny(v) : value(v);
}

/** A fraction as a percentage; a dash where it is undefined. */
export function formatShare(fraction: number): string {
  return Number.isFinite(fraction) ? percent(fraction) : "–";
}

/** A count with thousands separators (4,608); a dash where it is unknown. */
export function formatCount(n: number | null): string {
  return n === null ? "–" : count(n);
}

/**
 * The shortest decimal text that reads back (`Math.fround(Number(text))`) as the
 * float32 of `v`: event files hold float32, so 0.09399999678134918 is written
 * 0.094. Tries 1 to 9 significant digits (9 always suffice for a float32).
 * Non-finite values as NaN, Infinity, -Infinity; -0 as 0, like `String` and JSON.
 */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(f.toPrecision(digits));
    if (Math.fround(shorter) === f) return String(shorter);
  }
  return String(Number(f.toPrecision(9)));
}

/** `text` cut to `n` characters (not UTF-16 units, so no emoji is split), with an ellipsis when cut. */
export function truncate(text: string, n: number): string {
  const chars = Array.from(text);
  return chars.length <= n ? text : chars.slice(0, n - 1).join("") + "…";
}

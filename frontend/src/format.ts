/** Number formats shared by the tooltip and the tables. */
import { format } from "d3-format";

const value = format(".4~g");
const percent = format(".1%");
const count = format(",d");

export function formatValue(v: number | null): string {
  if (v === null) return "–";
  if (!Number.isFinite(v)) return String(v);
  return value(v);
}

/** A fraction as a percentage; a dash where it is undefined. */
export function formatShare(fraction: number): string {
  return Number.isFinite(fraction) ? percent(fraction) : "–";
}

/** A count with thousands separators (4,608); a dash where it is unknown. */
export function formatCount(n: number | null): string {
  return n === null ? "–" : count(n);
}

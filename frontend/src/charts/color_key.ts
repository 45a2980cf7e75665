/**
 * Draws the key of a colour-by-hyperparameter inside an SVG (so an exported
 * image carries it): a viridis bar with its ends and a log note for a numeric
 * hyperparameter, one swatch per value otherwise. Text is set with `.text()`.
 */
import type { Selection } from "d3-selection";
import { barStops, type ColorKey } from "./hparam_colors";
import { formatValue, truncate } from "../common/format";

const BAR_WIDTH = 220;
const ENTRY_WIDTH = 150;
export const KEY_ROW = 18;

let gradients = 0;

/** Rows of height `KEY_ROW` the key of `key` takes in `width` pixels. */
export function keyRows(key: ColorKey, width: number): number {
  if (key.kind === "numeric") return 1;
  const columns = Math.max(1, Math.floor((width - 160) / ENTRY_WIDTH));
  return Math.ceil((key.entries.length + (key.more > 0 ? 1 : 0)) / columns);
}

/** Appends the key to `parent` (a `g` at the key's top left), `width` pixels wide, text in `fg`. */
export function drawColorKey(
  parent: Selection<SVGGElement, unknown, null, undefined>,
  key: ColorKey,
  width: number,
  fg: string,
): void {
  const g = parent.append("g").attr("class", "color-key").attr("data-color-key", key.name);
  g.append("text").attr("x", 0).attr("y", 12).attr("fill", fg).attr("font-weight", 500).text(truncate(key.name, 22) + ":");
  const left = 150;
  if (key.kind === "numeric") {
    const id = `regloss-key-gradient-${++gradients}`;
    const gradient = g.append("defs").append("linearGradient").attr("id", id);
    for (const stop of barStops()) gradient.append("stop").attr("offset", stop.offset).attr("stop-color", stop.color);
    const lo = g.append("text").attr("x", left).attr("y", 12).attr("fill", fg).text(formatValue(key.lo));
    const barX = left + 56;
    lo.attr("text-anchor", "start");
    g.append("rect").attr("x", barX).attr("y", 2).attr("width", BAR_WIDTH).attr("height", 12).attr("fill", `url(#${id})`);
    g.append("text").attr("x", barX + BAR_WIDTH + 6).attr("y", 12).attr("fill", fg).text(formatValue(key.hi) + (key.log ? "  (log scale)" : ""));
    return;
  }
  const columns = Math.max(1, Math.floor((width - left) / ENTRY_WIDTH));
  const labels = [...key.entries.map((e) => ({ label: e.label, color: e.color as string | null }))];
  if (key.more > 0) labels.push({ label: `+${key.more} more (grey)`, color: null });
  labels.forEach((e, i) => {
    const entry = g
      .append("g")
      .attr("transform", `translate(${left + (i % columns) * ENTRY_WIDTH},${Math.floor(i / columns) * KEY_ROW})`);
    entry.append("title").text(e.label);
    if (e.color !== null) entry.append("rect").attr("y", 3).attr("width", 10).attr("height", 10).attr("fill", e.color);
    entry.append("text").attr("x", e.color === null ? 0 : 14).attr("y", 12).attr("fill", fg).text(truncate(e.label, 20));
  });
}

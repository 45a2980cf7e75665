/**
 * Path data of a whole stack, built fast: in a stack the top edge of one area is
 * the bottom edge of the next, so each edge is formatted once and reused (going
 * forward as a top, backward as a bottom). Coordinates are rounded to 0.1 px,
 * which keeps path strings short for the browser to parse. An area with a gap
 * is drawn by d3-shape's area with `defined`, so its breaks stay right.
 */
import { area } from "d3-shape";
import type { StackedLayer } from "./stack";

const round = (v: number) => Math.round(v * 10) / 10;

function forward(xs: string[], ys: Float64Array, y: (v: number) => number): string {
  let d = "";
  for (let j = 0; j < ys.length; j++) d += "L" + xs[j] + "," + round(y(ys[j]));
  return d;
}

function backward(xs: string[], ys: Float64Array, y: (v: number) => number): string {
  let d = "";
  for (let j = ys.length - 1; j >= 0; j--) d += "L" + xs[j] + "," + round(y(ys[j]));
  return d;
}

function hasGap(ys: Float64Array): boolean {
  for (let j = 0; j < ys.length; j++) if (Number.isNaN(ys[j])) return true;
  return false;
}

function same(a: Float64Array, b: Float64Array): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** `d` of every layer's area, by key; `px` are the pixel x of the drawn points. */
export function stackPaths(layers: StackedLayer[], px: Float64Array, y: (v: number) => number): Map<string, string> {
  const out = new Map<string, string>();
  if (px.length === 0) {
    for (const layer of layers) out.set(layer.key, "");
    return out;
  }
  const xs = Array.from(px, (v) => String(round(v)));
  let below: { y1: Float64Array; back: string } | null = null;
  for (const layer of layers) {
    const { y0, y1 } = layer;
    if (hasGap(y0)) {
      const idx = Array.from({ length: px.length }, (_, j) => j);
      const shape = area<number>()
        .defined((j) => !Number.isNaN(y0[j]))
        .x((j) => px[j])
        .y0((j) => y(y0[j]))
        .y1((j) => y(y1[j]))
        .digits(1);
      out.set(layer.key, shape(idx) ?? "");
      below = null;
      continue;
    }
    const bottom = below !== null && same(below.y1, y0) ? below.back : backward(xs, y0, y);
    const top = forward(xs, y1, y);
    out.set(layer.key, "M" + top.slice(1) + bottom + "Z");
    below = { y1, back: backward(xs, y1, y) };
  }
  return out;
}

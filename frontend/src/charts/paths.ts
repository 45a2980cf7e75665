/**
 * Path data of a whole stack, built fast. Three things keep it cheap:
 * - in a stack the top edge of one area is the bottom edge of the next, so each
 *   edge's y strings are made once and used forward (as a top) and backward (as
 *   the bottom of the next area);
 * - coordinates are rounded to 0.1 px and every coordinate string comes from a
 *   table (one string per 0.1 px), so no number is formatted per point;
 * - a path is one `join` of those strings: flat, no per-point objects or ropes.
 * An area with a gap is drawn in pieces with its breaks where the gap is.
 */
import type { StackedLayer } from "../data/stack";

/** Strings of 0.1 px steps, `coordinate(7) === "0.7"`, built once and shared. */
const table: string[] = [];
function coordinate(tenths: number): string {
  if (tenths >= 0 && tenths < 65536) {
    for (let t = table.length; t <= tenths; t++) table.push(String(t / 10));
    return table[tenths];
  }
  return String(tenths / 10);
}

/** A pixel coordinate in tenths of a pixel, rounded like Math.round(v * 10). */
const tenths = (v: number) => Math.round(v * 10);

/** The y strings of one edge of the stack, computed once and used by the two areas it bounds. */
function edge(ys: Float64Array, y: (v: number) => number): string[] {
  const out = new Array<string>(ys.length);
  for (let j = 0; j < ys.length; j++) out[j] = coordinate(tenths(y(ys[j])));
  return out;
}

function hasGap(ys: Float64Array): boolean {
  for (let j = 0; j < ys.length; j++) if (Number.isNaN(ys[j])) return true;
  return false;
}

function same(a: Float64Array, b: Float64Array): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** Pieces of one path, joined once: a flat string the browser parses without flattening a rope. */
class PathBuilder {
  private readonly parts: string[];
  private length = 0;
  constructor(private readonly xsL: string[]) {
    // A whole area is 4 pieces per column and a "Z": allocated once, reused for every path.
    this.parts = new Array<string>(4 * xsL.length + 1).fill("");
  }

  /** A closed piece over columns [from, to]: `top` left to right, then `bottom` right to left. */
  piece(top: string[], bottom: string[], from: number, to: number): void {
    const { parts, xsL } = this;
    let k = this.length;
    parts[k++] = "M" + xsL[from].slice(1);
    parts[k++] = top[from];
    for (let j = from + 1; j <= to; j++) {
      parts[k++] = xsL[j];
      parts[k++] = top[j];
    }
    for (let j = to; j >= from; j--) {
      parts[k++] = xsL[j];
      parts[k++] = bottom[j];
    }
    parts[k++] = "Z";
    this.length = k;
  }

  done(): string {
    const { parts } = this;
    const d = this.length === parts.length ? parts.join("") : parts.slice(0, this.length).join("");
    this.length = 0;
    return d;
  }
}

/** An area with gaps: one closed piece per run of defined points (a lone point is a zero-width piece). */
function piecewise(b: PathBuilder, y0: Float64Array, y1: Float64Array, y: (v: number) => number): string {
  const top = edge(y1, y);
  const bottom = edge(y0, y);
  const n = y0.length;
  const defined = (j: number) => !Number.isNaN(y0[j]) && !Number.isNaN(y1[j]);
  let j = 0;
  while (j < n) {
    if (!defined(j)) {
      j++;
      continue;
    }
    let end = j;
    while (end + 1 < n && defined(end + 1)) end++;
    b.piece(top, bottom, j, end);
    j = end + 1;
  }
  return b.done();
}

/** `d` of every layer's area, by key; `px` are the pixel x of the drawn points. */
export function stackPaths(layers: StackedLayer[], px: Float64Array, y: (v: number) => number): Map<string, string> {
  const out = new Map<string, string>();
  const n = px.length;
  if (n === 0) {
    for (const layer of layers) out.set(layer.key, "");
    return out;
  }
  // "Lx," per column: a point is then two pieces, this and its y string.
  const xsL = Array.from(px, (v) => "L" + coordinate(tenths(v)) + ",");
  const b = new PathBuilder(xsL);
  let below: { y1: Float64Array; top: string[] } | null = null;
  for (const layer of layers) {
    const { y0, y1 } = layer;
    if (hasGap(y0) || hasGap(y1)) {
      out.set(layer.key, piecewise(b, y0, y1, y));
      below = null;
      continue;
    }
    const bottom = below !== null && same(below.y1, y0) ? below.top : edge(y0, y);
    const top = edge(y1, y);
    b.piece(top, bottom, 0, n - 1);
    out.set(layer.key, b.done());
    below = { y1, top };
  }
  return out;
}

/** `d` of a line through (px, y(v)) with breaks at NaN. */
export function linePath(px: Float64Array, values: Float64Array, y: (v: number) => number): string {
  let d = "";
  let pen = "M";
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (Number.isNaN(v)) {
      pen = "M";
      continue;
    }
    d += pen + coordinate(tenths(px[j])) + "," + coordinate(tenths(y(v)));
    pen = "L";
  }
  return d;
}

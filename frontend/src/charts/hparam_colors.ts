/**
 * Colour by a hyperparameter: viridis over a numeric one (on a log scale where
 * its values span more than two decades), the palette over the values of any
 * other, grey where a trial lacks it; and the key that explains the colours
 * (a colour bar or one swatch per value). Pure functions, no DOM.
 */
import type { HParamValue } from "../data/api";
import { PALETTE } from "./colors";
import { viridis } from "./colormap";
import { compareRunNames } from "../data/runorder";

export const MISSING_COLOR = "#b0b0b0";
/** A categorical key lists this many values; the rest share the last entry's note. */
export const MAX_CATEGORIES = 12;

export type ColorKey =
  | { kind: "numeric"; name: string; lo: number; hi: number; log: boolean }
  | { kind: "categorical"; name: string; entries: { label: string; color: string }[]; more: number };

/** Which hyperparameter colours the runs ("" for none), and each experiment's hyperparameters, by run prefix. */
export interface HParamColoring {
  name: string;
  hparamsOf: ReadonlyMap<string, Record<string, HParamValue>>;
}

export interface HParamColors {
  colorOf: (value: HParamValue | undefined) => string;
  key: ColorKey | null;
}

/** True when the positive finite values span more than two decades (max / min > 100): then a log axis reads best. */
export function spansDecades(values: readonly number[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // log10 of the ratio, so 1e-4 .. 1e-2 (exactly two decades) stays linear despite rounding.
  return lo <= hi && Math.log10(hi) - Math.log10(lo) > 2 + 1e-9;
}

function rgb([r, g, b]: [number, number, number]): string {
  return `rgb(${r},${g},${b})`;
}

/** Whether every present value of a hyperparameter is a finite number (and at least one is present). */
export function isNumeric(values: readonly (HParamValue | undefined)[]): boolean {
  let any = false;
  for (const v of values) {
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) return false;
    any = true;
  }
  return any;
}

/** The colours of hyperparameter `name`, whose values across the trials are `values`. */
export function hparamColors(name: string, values: readonly (HParamValue | undefined)[]): HParamColors {
  if (name === "" || values.every((v) => v === undefined)) return { colorOf: () => MISSING_COLOR, key: null };
  if (isNumeric(values)) {
    const numbers = values.filter((v): v is number => typeof v === "number");
    const log = spansDecades(numbers);
    const shown = log ? numbers.filter((v) => v > 0) : numbers;
    const lo = Math.min(...shown);
    const hi = Math.max(...shown);
    const f = log ? Math.log10 : (v: number) => v;
    const span = f(hi) - f(lo);
    const t = (v: number) => (span > 0 ? (log && v <= 0 ? 0 : (f(v) - f(lo)) / span) : 0.5);
    return {
      colorOf: (v) => (typeof v === "number" && Number.isFinite(v) ? rgb(viridis(t(v))) : MISSING_COLOR),
      key: { kind: "numeric", name, lo, hi, log },
    };
  }
  const distinct = [...new Set(values.filter((v) => v !== undefined).map(String))].sort(compareRunNames);
  const slot = new Map(distinct.map((v, i) => [v, i]));
  const colorOf = (v: HParamValue | undefined) => {
    const i = v === undefined ? undefined : slot.get(String(v));
    return i === undefined ? MISSING_COLOR : i < MAX_CATEGORIES ? PALETTE[i % PALETTE.length] : MISSING_COLOR;
  };
  return {
    colorOf,
    key: {
      kind: "categorical",
      name,
      entries: distinct.slice(0, MAX_CATEGORIES).map((label) => ({ label, color: colorOf(label) })),
      more: Math.max(0, distinct.length - MAX_CATEGORIES),
    },
  };
}

/** Colour bar stops: viridis at evenly spaced points, for an SVG gradient. */
export function barStops(n = 9): { offset: number; color: string }[] {
  return Array.from({ length: n }, (_, i) => ({ offset: i / (n - 1), color: rgb(viridis(i / (n - 1))) }));
}

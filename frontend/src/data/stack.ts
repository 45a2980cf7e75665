/**
 * Stacks layers like d3-shape's stack with the diverging offset: positive values
 * pile up from zero, negative ones down from zero. Each point keeps `[y0, y1]`
 * and the layer keeps its raw values for tooltips. A gap (null, NaN, ±Infinity)
 * adds nothing and is NaN in y0/y1 so the area breaks there.
 */
import { asColumn, type Series } from "./api";
import type { Layer } from "./group";

export type Mode = "absolute" | "share" | "penalties";

export interface StackedLayer {
  key: string;
  label: string;
  values: Series;
  y0: Float64Array;
  y1: Float64Array;
}

/** Sum of magnitudes of the parts at each step: the 100 % of share mode. */
export function partsMagnitude(layers: Layer[], indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (const layer of layers) {
    const values = asColumn(layer.values);
    for (let j = 0; j < indices.length; j++) {
      const v = values[indices[j]];
      if (v - v === 0) out[j] += Math.abs(v);
    }
  }
  return out;
}

/**
 * Stacks `layers` (bottom first) at the given step indices. In share mode each
 * value is divided by the sum of magnitudes at its step, so the stack reaches 100.
 */
export function stackLayers(layers: Layer[], indices: ArrayLike<number>, share: boolean): StackedLayer[] {
  const n = indices.length;
  const scale = share ? partsMagnitude(layers, indices) : null;
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  return layers.map((layer) => {
    const values = asColumn(layer.values);
    const y0 = new Float64Array(n);
    const y1 = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const raw = values[indices[j]];
      // raw - raw is NaN for a gap or ±Infinity, 0 for a finite value.
      if (raw - raw !== 0 || (scale !== null && scale[j] === 0)) {
        y0[j] = NaN;
        y1[j] = NaN;
        continue;
      }
      const v = scale === null ? raw : (raw / scale[j]) * 100;
      if (v >= 0) {
        y0[j] = up[j];
        up[j] += v;
        y1[j] = up[j];
      } else {
        y1[j] = down[j];
        down[j] += v;
        y0[j] = down[j];
      }
    }
    return { key: layer.key, label: layer.label, values: layer.values, y0, y1 };
  });
}

/** The recorded total as drawn: as is, or in percent of the parts in share mode. */
export function totalLine(total: Series, layers: Layer[], indices: ArrayLike<number>, share: boolean): Float64Array {
  const scale = share ? partsMagnitude(layers, indices) : null;
  const values = asColumn(total);
  const out = new Float64Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const v = values[indices[j]];
    out[j] = v - v !== 0 ? NaN : scale === null ? v : scale[j] === 0 ? NaN : (v / scale[j]) * 100;
  }
  return out;
}

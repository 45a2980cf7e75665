/**
 * Axis ticks made for losses and time: labels without SI prefixes (a loss of
 * "500m" reads as five hundred million; we write 0.5, and 1e-3 for the small
 * ones), the ticks of every log axis of the dashboard (a labelled tick per
 * decade where the labels fit), and wall time that writes the date once, then
 * only the times.
 */
import { format } from "d3-format";
import { timeFormat } from "d3-time-format";

const plain = format(".6~g");
const mantissa = format(".3~g");
/** Outside [1e-3, 1e5) a tick is written as mantissa and exponent. */
const SMALL = 1e-3;
const LARGE = 1e5;

/** A y tick value: 0, 0.25, 1.5, 1200, 1e-3, 2.5e-4, 1e6 — never an SI prefix. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (v === 0 || (abs >= SMALL && abs < LARGE)) return plain(v);
  let e = Math.floor(Math.log10(abs));
  let m = Number((v / 10 ** e).toPrecision(3));
  // 9.999e-4 rounds to a mantissa of 10: that is 1e-3.
  if (Math.abs(m) >= 10) {
    m /= 10;
    e += 1;
  }
  return `${mantissa(m)}e${e}`;
}

/** Pixels a y label needs, with room between labels. */
export const LABEL_HEIGHT = 16;

/**
 * The ticks of a log axis over `domain` (in either order), `length` pixels
 * long, with a label every `spacing` pixels at most (a y label's height by
 * default; an x axis passes its labels' width): every power of ten inside the
 * domain when they fit, else every 2nd, 5th or 10th… decade (the multiples of
 * that stride, so they do not jump as the domain moves). A domain holding fewer
 * than two powers of ten gets 1-2-5 ticks instead. Each tick is labelled.
 */
export function logTicks(domain: readonly [number, number], length: number, spacing = LABEL_HEIGHT): number[] {
  const lo = Math.min(domain[0], domain[1]);
  const hi = Math.max(domain[0], domain[1]);
  const first = Math.ceil(Math.log10(lo) - 1e-9);
  const last = Math.floor(Math.log10(hi) + 1e-9);
  const decades = last - first + 1;
  if (decades < 2) return subDecadeTicks(lo, hi);
  const room = Math.max(2, Math.floor(length / spacing));
  const stride = [1, 2, 3, 5, 10, 20, 50, 100].find((s) => Math.ceil(decades / s) <= room) ?? Math.ceil(decades / room);
  const out: number[] = [];
  for (let k = Math.ceil(first / stride) * stride; k <= last; k += stride) out.push(Number(`1e${k}`));
  return out;
}

/** 1, 2 and 5 times the powers of ten within [lo, hi]. */
function subDecadeTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number(`${m}e${k}`);
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(v);
    }
  }
  return out;
}

const dayTime = timeFormat("%b %d %H:%M");
const timeOnly = timeFormat("%H:%M");
const timeSeconds = timeFormat("%H:%M:%S");
const dayOf = timeFormat("%Y-%m-%d");

/**
 * Labels of wall-time ticks (ms since the epoch, in order): the first tick and
 * any tick on a new day carry the date, the others only the time; seconds are
 * shown when two ticks would otherwise read the same minute.
 */
export function wallTickLabels(ticks: readonly number[]): string[] {
  const minutes = new Set(ticks.map((t) => Math.floor(t / 60000)));
  const time = minutes.size < ticks.length ? timeSeconds : timeOnly;
  return ticks.map((t, i) => {
    const d = new Date(t);
    return i === 0 || dayOf(d) !== dayOf(new Date(ticks[i - 1])) ? dayTime(d) : time(d);
  });
}

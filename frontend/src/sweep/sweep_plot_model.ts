/**
 * The sweep plot's model: one trial per experiment (its train and validation
 * runs paired by name, with the figures of the `sweep` route and the logged
 * hyperparameters; KerasTuner's executions of one trial averaged), the metric
 * plotted against one numeric hyperparameter, the axes (log where the values
 * span more than two decades) and the pixel coordinates of every point. Pure
 * functions, no DOM.
 */
import { scaleLinear, scaleLog } from "d3-scale";
import { present, type HParamValue, type RunHParams, type RunSummary } from "../data/api";
import { hparamNames, hparamsFor, splitRunName } from "../data/hparams";
import { isNumeric, spansDecades } from "../charts/hparam_colors";
import { compareRunNames } from "../data/runorder";

/** The figures of one train and validation pair of runs. */
export interface Figures {
  /** Last and lowest data loss of the validation run, and the step of the lowest. */
  lastValidation: number | null;
  bestValidation: number | null;
  bestStep: number | null;
  /** Penalties over the total at the training run's last step (reg / total). */
  share: number | null;
  /** Last data loss of the training run minus that of the validation run. */
  gap: number | null;
}

/** One execution of a trial: a train and validation pair of runs (KerasTuner's `<trial>/execution<k>`, or a plain experiment). */
export interface Execution extends Figures {
  /** The runs' common prefix. */
  prefix: string;
  /** The training run, else the validation run. */
  run: string;
}

/**
 * A trial: its figures are the means over its executions that have a value
 * (`bestStep` only with one execution: steps of different executions are not
 * averaged); a plain experiment is a trial of one execution.
 */
export interface Trial extends Figures {
  /** The trial: the experiment's prefix, without KerasTuner's `/execution<k>`. */
  prefix: string;
  /** The run a click focuses: the first execution's training run, else its validation run. */
  run: string;
  hparams: Record<string, HParamValue>;
  /** The executions averaged, in run order (one for a plain experiment). */
  executions: Execution[];
}

export type SweepMetric = "validation" | "share" | "gap";

export const METRICS: { key: SweepMetric; label: string }[] = [
  { key: "validation", label: "Validation data loss (last ●, best ◆)" },
  { key: "share", label: "Penalty share (reg / total)" },
  { key: "gap", label: "Gap: train − validation data loss" },
];

export function metricLabel(metric: SweepMetric): string {
  return METRICS.find((m) => m.key === metric)?.label ?? metric;
}

const finite = (v: number | null | undefined): number | null => (v !== null && v !== undefined && present(v) ? v : null);

/** KerasTuner's run of one execution: `<trial>/execution<k>` (`executions_per_trial`). */
const EXECUTION = /^(.+)\/execution\d+$/;

/** The trial an experiment prefix belongs to: `tune/03/execution1` → `tune/03`; any other prefix is its own. */
export function trialPrefix(prefix: string): string {
  return EXECUTION.exec(prefix)?.[1] ?? prefix;
}

function figuresOf(train: RunSummary | undefined, validation: RunSummary | undefined): Figures {
  const total = finite(train?.total);
  const reg = finite(train?.reg);
  const trainData = finite(train?.data);
  const lastValidation = finite(validation?.data);
  return {
    lastValidation,
    bestValidation: finite(validation?.bestData),
    bestStep: validation?.bestStep ?? null,
    share: total !== null && reg !== null && total !== 0 ? reg / total : null,
    gap: trainData !== null && lastValidation !== null ? trainData - lastValidation : null,
  };
}

function mean(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/**
 * One trial per experiment of `summaries` that logged hyperparameters, in run
 * order; KerasTuner's executions of one trial (`<trial>/execution<k>`) make
 * one trial, their figures averaged.
 */
export function sweepTrials(summaries: readonly RunSummary[], logged: readonly RunHParams[]): Trial[] {
  const groups = new Map<string, { train?: RunSummary; validation?: RunSummary }>();
  for (const s of summaries) {
    const { prefix, split } = splitRunName(s.run);
    const group = groups.get(prefix) ?? {};
    if (split === "validation") group.validation = s;
    else group.train ??= s;
    groups.set(prefix, group);
  }
  const byTrial = new Map<string, { hparams: Record<string, HParamValue>; executions: Execution[] }>();
  for (const [prefix, { train, validation }] of groups) {
    const runs = [train?.run, validation?.run].filter((r): r is string => r !== undefined);
    const hparams = hparamsFor(prefix, runs, logged as RunHParams[]);
    if (Object.keys(hparams).length === 0) continue;
    const trial = trialPrefix(prefix);
    const entry = byTrial.get(trial) ?? { hparams, executions: [] };
    entry.executions.push({ prefix, run: runs[0], ...figuresOf(train, validation) });
    byTrial.set(trial, entry);
  }
  const trials: Trial[] = [];
  for (const [prefix, { hparams, executions }] of byTrial) {
    executions.sort((a, b) => compareRunNames(a.prefix, b.prefix));
    const only = executions.length === 1 ? executions[0] : null;
    const average = (pick: (e: Execution) => number | null) => mean(executions.map(pick));
    trials.push({
      prefix,
      run: executions[0].run,
      hparams,
      executions,
      lastValidation: average((e) => e.lastValidation),
      bestValidation: average((e) => e.bestValidation),
      bestStep: only ? only.bestStep : null,
      share: average((e) => e.share),
      gap: average((e) => e.gap),
    });
  }
  return trials.sort((a, b) => compareRunNames(a.prefix, b.prefix));
}

/** The value a trial plots for `metric` (the last one for the validation loss), or null. */
export function metricValue(t: Figures, metric: SweepMetric): number | null {
  return metric === "validation" ? t.lastValidation : metric === "share" ? t.share : t.gap;
}

/**
 * The lowest and highest value of `metric` over a trial's executions (the
 * last validation loss for `validation`), or null when fewer than two
 * executions have one: the spread the plot draws around the mean.
 */
export function metricSpread(t: Trial, metric: SweepMetric): [number, number] | null {
  const values = t.executions.map((e) => metricValue(e, metric)).filter((v): v is number => v !== null);
  return values.length < 2 ? null : [Math.min(...values), Math.max(...values)];
}

/** What choosing hyperparameters reads of a trial (a sweep table row has it too). */
type WithHParams = { hparams: Record<string, HParamValue> };

/** The hyperparameters that can be an x axis: numeric wherever logged. */
export function numericHParams(trials: readonly WithHParams[]): string[] {
  return hparamNames(trials.map((t) => t.hparams)).filter((n) => isNumeric(trials.map((t) => t.hparams[n])));
}

/** Hyperparameters that vary across the trials (at least two values): what colour can tell apart. */
export function varyingHParams(trials: readonly WithHParams[]): string[] {
  return hparamNames(trials.map((t) => t.hparams)).filter(
    (n) => new Set(trials.map((t) => t.hparams[n]).filter((v) => v !== undefined).map(String)).size > 1,
  );
}

function distinctCount(trials: readonly WithHParams[], name: string): number {
  return new Set(trials.map((t) => t.hparams[name]).filter((v) => v !== undefined)).size;
}

/**
 * The x hyperparameter: `wanted` if numeric, else the numeric one with the
 * most distinct values (a sweep's swept axis), "" when there is none.
 */
export function chooseX(trials: readonly WithHParams[], wanted: string): string {
  const numeric = numericHParams(trials);
  if (numeric.includes(wanted)) return wanted;
  let best = "";
  for (const n of numeric) if (best === "" || distinctCount(trials, n) > distinctCount(trials, best)) best = n;
  return best;
}

/** The colour hyperparameter: `wanted` if it varies (or "" for none, on purpose), else another that varies. */
export function chooseColor(trials: readonly WithHParams[], wanted: string | null, x: string): string {
  const varying = varyingHParams(trials);
  if (wanted !== null && (wanted === "" || varying.includes(wanted))) return wanted;
  const numeric = new Set(numericHParams(trials));
  return varying.find((n) => n !== x && numeric.has(n)) ?? varying.find((n) => n !== x) ?? "";
}

export interface Axis {
  log: boolean;
  /** The scale over the placeable values (positive ones on a log axis), for ticks. */
  scale: ((v: number) => number) & { domain(): number[]; ticks(n?: number): number[] };
  /** Pixel of `v`: zero and negative values sit in a slot before the start of a log axis. */
  at(v: number): number;
  /** Pixel of that slot, or null when no value needs it. */
  zero: number | null;
}

/** Trials sharing an x value (a grid search's column) are set this many pixels apart, at most `MAX_DODGE` in all. */
export const DODGE = 7;
export const MAX_DODGE = 42;

/** Pixels a log axis sets aside at its start for zero (a sweep's `wd_0`). */
export const ZERO_SLOT = 48;

/**
 * An axis over `values` on the pixel `range` (start, end): log when the
 * positive values span more than two decades, the non-positive ones then in
 * a slot before the start (only with `zeroSlot`: a hyperparameter's 0 has a
 * place, a negative gap does not, so that axis stays linear); padded so no
 * point sits on the frame.
 */
export function axisFor(values: readonly number[], range: [number, number], zeroSlot = true): Axis {
  const finiteValues = values.filter((v) => Number.isFinite(v));
  const [r0, r1] = range;
  const direction = Math.sign(r1 - r0) || 1;
  if (spansDecades(finiteValues) && (zeroSlot || finiteValues.every((v) => v > 0))) {
    const positive = finiteValues.filter((v) => v > 0);
    const lo = Math.min(...positive);
    const hi = Math.max(...positive);
    const pad = Math.pow(hi / lo, 0.04);
    const zeroes = positive.length < finiteValues.length;
    const start = zeroes ? r0 + direction * ZERO_SLOT : r0;
    const scale = scaleLog().domain([lo / pad, hi * pad]).range([start, r1]);
    const zero = zeroes ? r0 + (direction * ZERO_SLOT) / 2 : null;
    return { log: true, scale, at: (v) => (v > 0 ? scale(v) : zero ?? NaN), zero };
  }
  let lo = Math.min(...finiteValues);
  let hi = Math.max(...finiteValues);
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  if (lo === hi) [lo, hi] = lo === 0 ? [-1, 1] : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  const pad = (hi - lo) * 0.05;
  const scale = scaleLinear().domain([lo - pad, hi + pad]).range([r0, r1]);
  return { log: false, scale, at: (v) => scale(v), zero: null };
}

export interface SweepPoint {
  prefix: string;
  run: string;
  /** The x hyperparameter's value and the plotted metric's (`px` is set apart from trials with the same x by up to `MAX_DODGE` / 2). */
  x: number;
  y: number;
  /** The lowest validation data loss (validation metric only). */
  best: number | null;
  /** The lowest and highest execution of a trial of several (`metricSpread`), else null. */
  lo: number | null;
  hi: number | null;
  /** The executions the point is the mean of. */
  executions: number;
  px: number;
  py: number;
  pyBest: number | null;
  pyLo: number | null;
  pyHi: number | null;
  color: string;
}

export interface SweepPlotModel {
  x: string;
  metric: SweepMetric;
  points: SweepPoint[];
  xAxis: Axis;
  yAxis: Axis;
  /** Trials without a value to plot (no numeric x, or no finite metric): listed, not drawn. */
  without: string[];
}

/**
 * The points of `metric` against hyperparameter `x`, in a plot area of
 * `width` by `height` pixels (y grows downwards), coloured by `colorOf`.
 */
export function sweepPlotModel(
  trials: readonly Trial[],
  x: string,
  metric: SweepMetric,
  colorOf: (t: Trial) => string,
  width: number,
  height: number,
): SweepPlotModel {
  const placed: { t: Trial; x: number; y: number; best: number | null; spread: [number, number] | null }[] = [];
  const without: string[] = [];
  for (const t of trials) {
    const xv = t.hparams[x];
    const y = metricValue(t, metric);
    if (typeof xv !== "number" || !Number.isFinite(xv) || y === null) {
      without.push(t.prefix);
      continue;
    }
    placed.push({ t, x: xv, y, best: metric === "validation" ? t.bestValidation : null, spread: metricSpread(t, metric) });
  }
  const xAxis = axisFor(placed.map((p) => p.x), [0, width]);
  const ys = placed.flatMap((p) => [p.y, ...(p.best === null ? [] : [p.best]), ...(p.spread ?? [])]);
  const yAxis = axisFor(ys, [height, 0], false);
  // A grid search puts several trials on one x: side by side, in trial order, so each stays clickable.
  const column = new Map<number, number[]>();
  placed.forEach((p, i) => column.set(p.x, [...(column.get(p.x) ?? []), i]));
  const offset = new Float64Array(placed.length);
  for (const members of column.values()) {
    const n = members.length;
    const step = n > 1 ? Math.min(DODGE, MAX_DODGE / (n - 1)) : 0;
    members.forEach((i, k) => (offset[i] = (k - (n - 1) / 2) * step));
  }
  return {
    x,
    metric,
    xAxis,
    yAxis,
    without,
    points: placed.map((p, i) => ({
      prefix: p.t.prefix,
      run: p.t.run,
      x: p.x,
      y: p.y,
      best: p.best,
      lo: p.spread?.[0] ?? null,
      hi: p.spread?.[1] ?? null,
      executions: p.t.executions.length,
      px: xAxis.at(p.x) + offset[i],
      py: yAxis.at(p.y),
      pyBest: p.best === null ? null : yAxis.at(p.best),
      pyLo: p.spread ? yAxis.at(p.spread[0]) : null,
      pyHi: p.spread ? yAxis.at(p.spread[1]) : null,
      color: colorOf(p.t),
    })),
  };
}

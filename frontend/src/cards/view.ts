/**
 * From one run's breakdown and the settings to what its cards show: the two
 * chart models (loss composition, decoupled decay) with their bands in the
 * order and colors the settings give, each chart's legend entries, raw values
 * beside smoothed ones for the tooltip, the notices that explain an
 * empty chart or a missing core series, and the warnings (non-finite values,
 * unreadable series, parts not adding up).
 * Pure: no DOM, so it is tested with exact numbers.
 */
import { asColumn, present, type Breakdown, type Series } from "../data/api";
import { capBands, MAX_BANDS } from "../data/bands";
import type { ChartModel } from "../charts/chart";
import { decimate } from "../data/decimate";
import { bandColors, FIXED } from "../charts/colors";
import { groupTerms, OTHER, type Family, type Layer } from "../data/group";
import { formatShare, formatValue } from "../common/format";
import type { LegendEntry } from "../charts/legend";
import { DATA_NAME, displayName, kindMarker } from "../data/names";
import { orderLayers } from "../data/order";
import { worstResidual } from "../data/residual";
import { plotWidth, xValues, yExtent, yLogExtent } from "../charts/scales";
import type { Settings, YScale } from "../data/settings";
import { smoothColumn } from "../data/smooth";
import { stackLayers, totalLine } from "../data/stack";

export interface RunView {
  run: string;
  main: ChartModel | null;
  decoupled: ChartModel | null;
  /** Why a chart is empty and what to do about it. */
  notices: string[];
  warnings: string[];
  /**
   * The legend of each chart: the series it draws in stack order ("other
   * terms" included), then the hidden ones (so they can be shown again), with
   * their band colors.
   */
  mainLegend: LegendEntry[];
  decoupledLegend: LegendEntry[];
  /** The band color of every candidate of the loss chart, drawn or merged (the ranking and heatmap use them). */
  mainColors: Map<string, string>;
}

const breakdownIds = new WeakMap<Breakdown, number>();
let nextId = 0;
function breakdownId(b: Breakdown): number {
  let id = breakdownIds.get(b);
  if (id === undefined) {
    id = nextId++;
    breakdownIds.set(b, id);
  }
  return id;
}

/** A band to draw: its values as drawn (smoothed or not) and as recorded. */
interface DrawnLayer extends Layer {
  raw: Series;
}

/** `layers` with their values smoothed with EMA weight `weight`, the recorded ones kept beside. */
function smoothLayers(layers: Layer[], weight: number): DrawnLayer[] {
  return layers.map((l) => ({ ...l, raw: l.values, values: smoothColumn(asColumn(l.values), weight) }));
}

/** Band colors of a chart's candidate layers, by key: neighbours in stack order never share a hue family. */
function colorsOf(layers: Layer[]): Map<string, string> {
  const colors = bandColors(layers.map((l) => l.key));
  return new Map(layers.map((l, i) => [l.key, colors[i]]));
}

/**
 * Legend entries of the bands drawn, then of the hidden ones (so they can be
 * shown again), with their recorded values: smoothing only draws, the legend
 * names what was logged (a 4-point validation series' smoothed last value can
 * be 300 times its recorded one).
 */
function legendEntries(drawn: DrawnLayer[], hidden: DrawnLayer[], colors: Map<string, string>): LegendEntry[] {
  return [...drawn, ...hidden].map((l) => ({
    key: l.key,
    name: displayName(l.key),
    kind: kindMarker(l.key),
    color: colors.get(l.key) ?? FIXED[l.key] ?? FIXED.other,
    values: l.raw,
  }));
}

/**
 * The bands one chart draws: the shown candidates, past `MAX_BANDS` the
 * smallest merged into one (`otherKey`, left out when the user hid it), and
 * only those smoothed — a thousand terms cost one smoothing per band drawn.
 */
function chartBands(
  candidates: Layer[],
  hidden: ReadonlySet<string>,
  weight: number,
  length: number,
  otherKey: string,
): { drawn: DrawnLayer[]; hidden: DrawnLayer[]; merged: number } {
  const capped = capBands(
    candidates.filter((l) => !hidden.has(l.key)),
    MAX_BANDS,
    length,
    otherKey,
  );
  const kept = capped.layers.filter((l) => !hidden.has(l.key));
  return {
    drawn: smoothLayers(kept, weight),
    // The merged band counts as hidden when the user hid it.
    hidden: smoothLayers(
      [...candidates, ...capped.layers].filter((l) => hidden.has(l.key)),
      weight,
    ),
    merged: capped.merged,
  };
}

function chartModel(
  b: Breakdown,
  ariaLabel: string,
  layers: DrawnLayer[],
  colorOf: Map<string, string>,
  total: Series | null,
  settings: Settings,
  width: number,
  share: boolean,
  family: string,
): ChartModel {
  const x = xValues(b, settings.xAxis);
  const indices = decimate(x, layers.map((l) => l.values), plotWidth(width));
  const stacked = stackLayers(layers, indices, share);
  const line = total === null ? null : totalLine(total, layers, indices, share);
  const yScale: YScale = share ? "linear" : settings.yScale;
  const signature = [
    breakdownId(b),
    family,
    settings.mode,
    settings.grouping,
    settings.order,
    settings.topK,
    settings.depth,
    settings.xAxis,
    settings.smoothing,
    width,
    layers.map((l) => l.key).join("\u0000"),
  ].join("|");
  return {
    ariaLabel,
    signature,
    xAxis: settings.xAxis,
    x,
    indices,
    layers: stacked,
    // The merged smallest groups are grey, as "other" is in a legend.
    colors: layers.map((l) => colorOf.get(l.key) ?? FIXED[l.key] ?? FIXED.other),
    raw: layers.map((l) => l.raw),
    smoothed: settings.smoothing > 0,
    totalLine: line,
    total,
    rawTotal: total === null ? null : b.columns.get("total") ?? null,
    yScale,
    yDomain: yScale === "log" ? yLogExtent(stacked, line) : yExtent(stacked, line),
    percent: share,
  };
}

const warningsCache = new WeakMap<Breakdown, string[]>();
/** Warnings depend on the data only, so they are worked out once per breakdown. */
function warningsOf(b: Breakdown): string[] {
  let warnings = warningsCache.get(b);
  if (!warnings) {
    warnings = findWarnings(b);
    warningsCache.set(b, warnings);
  }
  return [...warnings];
}

function findWarnings(b: Breakdown): string[] {
  const warnings = b.badValues.map(
    (bad) => `${bad.series} is ${bad.value} at step ${bad.step} (first bad value); drawn as a gap.`,
  );
  if (b.unreadable.length > 0) {
    warnings.push(
      `Unreadable series: ${b.unreadable.map((k) => "regloss/" + k).join(", ")}. TensorBoard lists ` +
        "them as scalars but cannot read them (e.g. another tool wrote a vector under the tag), " +
        "so they have no points here.",
    );
  }
  const total = b.columns.get("total");
  const parts = [...b.columns.entries()]
    .filter(([k]) => k === "data" || k.startsWith("penalty/"))
    .map(([, v]) => v);
  if (total && b.series.has("data")) {
    const worst = worstResidual(total, parts);
    if (worst) {
      const t = total[worst.index];
      warnings.push(
        `The parts do not add up to the total: at step ${b.steps[worst.index]} the total is ${formatValue(t)} ` +
          `but data + penalties = ${formatValue(t - worst.residual)} (${formatShare(worst.relative)} off).`,
      );
    }
  }
  return warnings;
}

/** Why parts of the chart are absent: the core series the backend says the run lacks. */
function missingNotices(b: Breakdown): string[] {
  const total = b.missing.includes("total");
  const data = b.missing.includes("data");
  if (total && data) {
    return [
      "This run has no regloss/total and no regloss/data series: only its penalties are shown, " +
        "without the line of the recorded total and without the residual check.",
    ];
  }
  if (total) {
    return [
      "This run has no regloss/total series: the line of the recorded total and the residual check are not shown.",
    ];
  }
  if (data) {
    return [
      "This run has no regloss/data series: the data loss is not shown and the residual check " +
        "(data + penalties = total) is not done.",
    ];
  }
  return [];
}

/** Says that a chart merged its smallest groups (and, for the penalties, where to see them all). */
function mergedNotice(kept: number, merged: number, decoupled = false): string {
  const chart = decoupled ? "The decoupled decay chart" : "The chart";
  const rest = decoupled ? "." : "; the ranking and the heatmap below show every one.";
  return `${chart} draws ${kept} series and merges the ${merged} smallest into "other terms"${rest}`;
}

/** The layers of one family, grouped, ordered as the settings ask, named without prefixes. */
function familyLayers(b: Breakdown, family: Family, settings: Settings): Layer[] {
  const layers = groupTerms(b, family, settings.grouping, settings.topK, (k) => b.columns.get(k)!, settings.depth);
  return orderLayers(layers, settings.order).map((l) => ({ ...l, label: displayName(l.key) }));
}

export function buildRunView(b: Breakdown, settings: Settings, width: number): RunView {
  const view: RunView = {
    run: b.run,
    main: null,
    decoupled: null,
    notices: [],
    warnings: [],
    mainLegend: [],
    decoupledLegend: [],
    mainColors: new Map(),
  };
  view.warnings = warningsOf(b);
  if (b.steps.length === 0) {
    view.notices.push(
      "This run has no regloss points yet: they appear once the callback logs its first epoch. " +
        "TensorBoard's reload (or auto-reload) brings them in.",
    );
    return view;
  }
  view.notices.push(...missingNotices(b));
  const weight = settings.smoothing;
  const hidden = new Set(settings.hidden);
  // Grouped, ordered and capped on the recorded values; only the bands drawn are smoothed.
  const penalties = familyLayers(b, "penalty", settings);
  const decoupled = familyLayers(b, "decoupled", settings);
  const data: Layer[] = b.columns.has("data")
    ? [{ key: "data", label: DATA_NAME, members: ["data"], values: b.columns.get("data")! }]
    : [];

  if (penalties.length === 0) {
    view.notices.push(
      "This run has no penalties (model.losses is empty), so all of its loss is data loss. " +
        (decoupled.length > 0
          ? "Its weight decay is decoupled: the optimizer applies it outside the loss (below)."
          : "Add e.g. kernel_regularizer=keras.regularizers.L2(1e-4) to a layer to see its decay here."),
    );
  }
  const candidates = settings.mode === "penalties" ? penalties : [...data, ...penalties];
  view.mainColors = colorsOf(candidates);
  const main = chartBands(candidates, hidden, weight, b.steps.length, OTHER);
  view.mainLegend = legendEntries(main.drawn, main.hidden, view.mainColors);
  if (main.merged > 0) view.notices.push(mergedNotice(main.drawn.length - 1, main.merged));
  if (main.drawn.length > 0) {
    const recorded = settings.mode === "penalties" ? null : b.columns.get("total") ?? null;
    view.main = chartModel(
      b,
      `Loss composition of run ${b.run}`,
      main.drawn,
      view.mainColors,
      recorded === null ? null : smoothColumn(recorded, weight),
      settings,
      width,
      settings.mode === "share",
      "penalty",
    );
  } else if (candidates.length > 0) {
    view.notices.push("Every series of this chart is hidden: click its name in the legend to show it again.");
  }
  const decoupledColors = colorsOf(decoupled);
  const shownDecoupled = chartBands(decoupled, hidden, weight, b.steps.length, "decoupled:" + OTHER);
  view.decoupledLegend = legendEntries(shownDecoupled.drawn, shownDecoupled.hidden, decoupledColors);
  if (shownDecoupled.merged > 0) {
    view.notices.push(mergedNotice(shownDecoupled.drawn.length - 1, shownDecoupled.merged, true));
  }
  if (shownDecoupled.drawn.length > 0) {
    view.decoupled = chartModel(
      b,
      `Decoupled weight decay of run ${b.run} (not part of the loss)`,
      shownDecoupled.drawn,
      decoupledColors,
      null,
      settings,
      width,
      settings.mode === "share",
      "decoupled",
    );
  }
  return view;
}

/** Gives every chart of a kind the union y domain (the shared y scale option). */
export function shareYDomains(models: (ChartModel | null)[]): void {
  const shown = models.filter((m): m is ChartModel => m !== null);
  if (shown.length === 0) return;
  const lo = Math.min(...shown.map((m) => m.yDomain[0]));
  const hi = Math.max(...shown.map((m) => m.yDomain[1]));
  for (const m of shown) m.yDomain = [lo, hi];
}

/** The last finite raw value of a series, with its step index; null if none. */
export function latest(values: Series): { index: number; value: number } | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (present(v)) return { index: i, value: v };
  }
  return null;
}

/**
 * The sweep table: one row per experiment (train and validation runs paired
 * by prefix) with the figures a sweep is judged by, its hyperparameters, and
 * sorting and CSV/JSON export of the rows. Pure functions over raw values (no
 * smoothing): the table reports what was logged.
 */
import { present, type Breakdown, type HParamValue, type RunHParams, type Series } from "../data/api";
import { float32Text } from "../common/format";
import { hparamNames, hparamsFor, splitRunName } from "../data/hparams";
import { compareRunNames } from "../data/runorder";

export interface SweepRow {
  /** The experiment: the runs' common prefix. */
  prefix: string;
  /** The training run (a run without split suffix counts as one), or null. */
  train: string | null;
  validation: string | null;
  hparams: Record<string, HParamValue>;
  /** Last logged total loss of the training run. */
  total: number | null;
  /** Last logged data loss of the training run. */
  data: number | null;
  /** Share of the last total that the penalties (`penalty/…`) make, at the total's step; NaN without one. */
  penaltyShare: number;
  /** Last logged data loss of the validation run. */
  validationData: number | null;
  /** Lowest validation data loss and its step. */
  bestValidationData: number | null;
  bestValidationStep: number | null;
}

/** The figure columns, in table order; hyperparameter columns are `hparam:<name>`. */
export const METRIC_COLUMNS = [
  "total",
  "data",
  "penaltyShare",
  "validationData",
  "bestValidationData",
  "bestValidationStep",
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];
export type SweepColumn = "run" | MetricColumn | `hparam:${string}`;

export const COLUMN_TITLES: Record<MetricColumn, string> = {
  total: "Total",
  data: "Data loss",
  penaltyShare: "Penalty share",
  validationData: "Val. data loss",
  bestValidationData: "Best val. data loss",
  bestValidationStep: "Best val. step",
};

/** Index of the last finite value of `values`, or -1. */
function lastIndex(values: Series | undefined): number {
  if (!values) return -1;
  for (let i = values.length - 1; i >= 0; i--) if (present(values[i])) return i;
  return -1;
}

function lastValue(b: Breakdown | undefined, key: string): number | null {
  if (!b) return null;
  const values = b.series.get(key);
  const i = lastIndex(values);
  return i < 0 ? null : (values![i] as number);
}

function penaltyShareOf(b: Breakdown | undefined): number {
  if (!b) return NaN;
  const total = b.series.get("total");
  const i = lastIndex(total);
  if (i < 0 || total![i] === 0) return NaN;
  let sum = 0;
  let any = false;
  for (const [key, values] of b.series) {
    const v = values[i];
    if (key.startsWith("penalty/") && present(v)) {
      sum += v;
      any = true;
    }
  }
  return any ? sum / (total![i] as number) : NaN;
}

function best(b: Breakdown | undefined): { value: number | null; step: number | null } {
  const values = b?.series.get("data");
  let at = -1;
  if (values) {
    // The first step of the lowest value: `<` keeps the earliest on a tie.
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (present(v) && (at < 0 || v < (values[at] as number))) at = i;
    }
  }
  return at < 0 ? { value: null, step: null } : { value: values![at] as number, step: b!.steps[at] };
}

/**
 * One row per experiment among `breakdowns`, in the order their first run
 * comes; `logged` are the hyperparameters from the `hparams` route.
 */
export function sweepRows(breakdowns: Breakdown[], logged: RunHParams[]): SweepRow[] {
  const groups = new Map<string, { train?: Breakdown; validation?: Breakdown }>();
  for (const b of breakdowns) {
    const { prefix, split } = splitRunName(b.run);
    const group = groups.get(prefix) ?? {};
    if (split === "validation") group.validation = b;
    else group.train ??= b;
    groups.set(prefix, group);
  }
  return [...groups].map(([prefix, { train, validation }]) => {
    const runs = [train?.run, validation?.run].filter((r): r is string => r !== undefined);
    const lowest = best(validation);
    return {
      prefix,
      train: train?.run ?? null,
      validation: validation?.run ?? null,
      hparams: hparamsFor(prefix, runs, logged),
      total: lastValue(train, "total"),
      data: lastValue(train, "data"),
      penaltyShare: penaltyShareOf(train),
      validationData: lastValue(validation, "data"),
      bestValidationData: lowest.value,
      bestValidationStep: lowest.step,
    };
  });
}

/** The hyperparameter names of the rows, sorted: one table column each. */
export function sweepHParamNames(rows: SweepRow[]): string[] {
  return hparamNames(rows.map((r) => r.hparams));
}

function cellOf(row: SweepRow, column: SweepColumn): HParamValue | null {
  if (column === "run") return row.prefix;
  if (column.startsWith("hparam:")) return row.hparams[column.slice("hparam:".length)] ?? null;
  const v = row[column as MetricColumn];
  return v === null || Number.isNaN(v) ? null : v;
}

/**
 * Sorts by one column: runs by `compareRunNames`, numbers numerically, strings and booleans as text,
 * missing values last in either direction; ties in run order (`compareRunNames`).
 */
export function sortSweep(rows: SweepRow[], column: SweepColumn, descending: boolean): SweepRow[] {
  const sign = descending ? -1 : 1;
  const byPrefix = (a: SweepRow, b: SweepRow) => compareRunNames(a.prefix, b.prefix);
  return [...rows].sort((a, b) => {
    const x = cellOf(a, column);
    const y = cellOf(b, column);
    if (x === null || y === null) return x === y ? byPrefix(a, b) : x === null ? 1 : -1;
    let c: number;
    if (column === "run") c = compareRunNames(a.prefix, b.prefix);
    else if (typeof x === "number" && typeof y === "number") c = x - y;
    else {
      const [sx, sy] = [String(x), String(y)];
      c = sx < sy ? -1 : sx > sy ? 1 : 0;
    }
    return sign * c || byPrefix(a, b);
  });
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell as CSV text: float32 values in their shortest form, steps and hyperparameters as they are. */
function csvText(v: HParamValue | null, column: SweepColumn): string {
  if (v === null) return "";
  if (typeof v !== "number") return String(v);
  return column === "total" || column === "data" || column === "validationData" || column === "bestValidationData"
    ? float32Text(v)
    : String(v);
}

/** The rows as CSV: `run`, the figure columns, then one `hparam:<name>` column per hyperparameter. */
export function sweepCsv(rows: SweepRow[]): string {
  const columns: SweepColumn[] = ["run", ...METRIC_COLUMNS, ...sweepHParamNames(rows).map((n) => `hparam:${n}` as const)];
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(csvText(cellOf(row, c), c))).join(","));
  return lines.join("\n") + "\n";
}

/** The rows as JSON: `{"rows": [...]}` with the fields of `SweepRow`, an unknown share as null. */
export function sweepJson(rows: SweepRow[]): string {
  const out = rows.map((r) => ({ ...r, penaltyShare: Number.isNaN(r.penaltyShare) ? null : r.penaltyShare }));
  return JSON.stringify({ rows: out }, null, 1) + "\n";
}

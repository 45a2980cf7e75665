/**
 * The backend's JSON routes and their parsing into the chart's columnar model.
 *
 * Routes are relative URLs: the plugin iframe's document has
 * `<base href="plugin/regloss/">`, so `runs` resolves to
 * `/data/plugin/regloss/runs`.
 */
import { parseDynamicsName, parseTag, parseUnverified, type UnverifiedMark } from "./tags";

/** A value per step: a number (possibly NaN/±Infinity) or null where the step has no point. */
export type Values = (number | null)[];

/**
 * A series as the drawing pipeline keeps it: one float per step, NaN where the
 * step cannot be drawn (no point, or a non-finite value). Converted once on
 * parse, so smoothing, stacking and hover read flat memory instead of boxed numbers.
 */
export type Column = Float64Array;

/** What the pipeline's functions read: a column, or a JSON-like list with null gaps. */
export type Series = ArrayLike<number | null>;

export interface RunInfo {
  run: string;
  terms: string[];
  descriptions: Record<string, string>;
  /** Core series the run does not have (absent in the answer = none). */
  missing: string[];
  /** The dynamics quantities the run logged (`regloss/dynamics/<quantity>/...`); empty when it has none. */
  dynamics: string[];
  /** The run's mark when its numbers differed from Keras' loss (`regloss/unverified`), else null. */
  unverified: UnverifiedMark | null;
  /** Whether the run has a decay plan (`regloss/decay_plan`, the `decay_plan` route). */
  decayPlan: boolean;
}

/** A non-finite value the backend sent: drawn as a gap, reported as a warning. */
export interface BadValue {
  series: string;
  step: number;
  value: number;
}

export interface Breakdown {
  run: string;
  steps: number[];
  wallTimes: number[];
  /** Series keys (tag suffix after `regloss/`) to one value per step, as received (null = no point). */
  series: Map<string, Values>;
  /** The same series as columns (NaN = gap or non-finite), for drawing. */
  columns: Map<string, Column>;
  descriptions: Record<string, string>;
  /** The first non-finite value of every series that has one, in series order. */
  badValues: BadValue[];
  /** Core series (`total`, `data`) the run does not have (absent in the answer = none). */
  missing: string[];
  /** Series TensorBoard lists but cannot read as scalars; their columns hold only gaps. */
  unreadable: string[];
  /** The response as received, for the JSON download (which writes float32 series back as lists). */
  raw: unknown;
}

/** Breakdowns carry at most this many points per series (server-side downsampling). */
export const SAMPLES = 1000;

const NON_FINITE: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
};

/** `s` as a column: itself if it is one, else a copy with null as NaN. */
export function asColumn(s: Series): Column {
  if (s instanceof Float64Array) return s;
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    out[i] = v === null ? NaN : v;
  }
  return out;
}

/** True where a value can be drawn: a finite number. */
export function present(v: number | null): v is number {
  return v !== null && Number.isFinite(v);
}

function fail(what: string, received: unknown): never {
  const shown = JSON.stringify(received);
  throw new Error(
    `Unexpected answer from the regloss backend: ${what}. ` +
      `Received: ${shown === undefined ? String(received) : shown.slice(0, 120)}`,
  );
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function parseDescriptions(x: unknown): Record<string, string> {
  if (x === undefined) return {};
  if (!isRecord(x)) fail("descriptions must be an object", x);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) out[k] = String(v);
  return out;
}

/** An optional list of names: absent is empty. */
function parseNames(x: unknown, what: string): string[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x) || !x.every((v) => typeof v === "string")) fail(`\`${what}\` must be a list of names`, x);
  return [...x];
}

function parseValue(v: unknown): number | null {
  if (v === null || typeof v === "number") return v;
  if (typeof v === "string" && v in NON_FINITE) return NON_FINITE[v];
  return fail("a value must be a number, null, \"NaN\", \"Infinity\" or \"-Infinity\"", v);
}

export function parseRuns(x: unknown): RunInfo[] {
  if (!isRecord(x) || !Array.isArray(x.runs)) fail("`runs` must hold a list", x);
  return (x.runs as unknown[]).map((r) => {
    if (!isRecord(r) || typeof r.run !== "string" || !Array.isArray(r.terms)) {
      fail("each run needs `run` and `terms`", r);
    }
    return {
      run: r.run,
      terms: (r.terms as unknown[]).map(String),
      descriptions: parseDescriptions(r.descriptions),
      missing: parseNames(r.missing, "missing"),
      dynamics: parseNames(r.dynamics, "dynamics"),
      unverified: parseUnverified(r.unverified),
      decayPlan: r.decay_plan === true,
    };
  });
}

/** A JSON-form series: numbers, null gaps and the non-finite strings, one per step. */
function parseValues(key: string, raw: unknown, length: number): Values {
  if (!Array.isArray(raw) || raw.length !== length) {
    fail(`series ${key} needs one value per step`, raw);
  }
  const values: Values = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const r: unknown = raw[i];
    values[i] = typeof r === "number" ? r : parseValue(r);
  }
  return values;
}

/** True for the compact answer (`encoding=float32`), false for the JSON form (no `encoding`). */
function parseEncoding(x: unknown): boolean {
  if (x === undefined) return false;
  if (x === "float32") return true;
  return fail("`encoding` must be \"float32\" or absent", x);
}

/**
 * The `gaps` of a float32 answer: term to ascending step indices. Absent means
 * no term has gaps; the indices are checked against each series' length later.
 */
function parseGaps(x: unknown, series: Record<string, unknown>): Record<string, unknown[]> {
  if (x === undefined) return {};
  if (!isRecord(x)) fail("`gaps` must be an object", x);
  for (const [key, indices] of Object.entries(x)) {
    if (!(key in series)) fail(`gaps name series ${key}, which the breakdown does not have`, x);
    if (!Array.isArray(indices)) fail(`gaps of series ${key} must be a list of step indices`, indices);
  }
  return x as Record<string, unknown[]>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A float32 series: base64 of little-endian float32 values, one per step, with
 * the gap indices set back to null. NaN and ±Infinity stay numbers, as the
 * JSON form's strings become, so both forms give the same values.
 */
function decodeFloat32(key: string, raw: unknown, length: number, gapIndices: unknown[] | undefined): Values {
  const what = `series ${key} must be the base64 of ${length} little-endian float32 values (${4 * length} bytes)`;
  if (typeof raw !== "string") fail(what, raw);
  let text: string;
  try {
    text = atob(raw);
  } catch {
    return fail(`${what}, not valid base64`, raw);
  }
  if (text.length !== 4 * length) fail(`${what}, not ${text.length} bytes`, raw);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const values: Values = new Array(length);
  if (LITTLE_ENDIAN) {
    const floats = new Float32Array(bytes.buffer);
    for (let i = 0; i < length; i++) values[i] = floats[i];
  } else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < length; i++) values[i] = view.getFloat32(4 * i, true);
  }
  if (gapIndices !== undefined) {
    let last = -1;
    for (const g of gapIndices) {
      if (typeof g !== "number" || !Number.isInteger(g) || g <= last || g >= length || !Number.isNaN(values[g])) {
        fail(
          `gaps of series ${key} must be ascending indices below ${length}, each of a NaN value; bad index ${JSON.stringify(g)}`,
          gapIndices,
        );
      }
      values[g] = null;
      last = g;
    }
  }
  return values;
}

/** Whether a breakdown series is part of the loss composition (`regloss/<key>` in the tag contract). */
function isCompositionSeries(key: string): boolean {
  return parseTag("regloss/" + key) !== null;
}

/**
 * Parses a breakdown; series for which `accept` is false are ignored, like
 * unknown tags (the dynamics route's answer has the same shape, with its own names).
 */
export function parseBreakdown(x: unknown, accept: (key: string) => boolean = isCompositionSeries): Breakdown {
  if (!isRecord(x) || typeof x.run !== "string") fail("a breakdown needs `run`", x);
  if (!Array.isArray(x.steps) || !Array.isArray(x.wall_times) || !isRecord(x.series)) {
    fail("a breakdown needs `steps`, `wall_times` and `series`", x);
  }
  const steps = (x.steps as unknown[]).map(Number);
  const wallTimes = (x.wall_times as unknown[]).map(Number);
  if (wallTimes.length !== steps.length) fail("one wall time per step", x.wall_times);
  const encoded = parseEncoding(x.encoding);
  const gaps = encoded ? parseGaps(x.gaps, x.series) : {};
  const series = new Map<string, Values>();
  const columns = new Map<string, Column>();
  const badValues: BadValue[] = [];
  for (const [key, raw] of Object.entries(x.series)) {
    // Series outside the tag contract are ignored, like unknown tags.
    if (!accept(key)) continue;
    const values = encoded ? decodeFloat32(key, raw, steps.length, gaps[key]) : parseValues(key, raw, steps.length);
    const column = new Float64Array(values.length);
    let bad = -1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) column[i] = NaN;
      else {
        column[i] = v;
        if (bad < 0 && !Number.isFinite(v)) bad = i;
      }
    }
    if (bad >= 0) badValues.push({ series: key, step: steps[bad], value: values[bad] as number });
    series.set(key, values);
    columns.set(key, column);
  }
  return {
    run: x.run,
    steps,
    wallTimes,
    series,
    columns,
    descriptions: parseDescriptions(x.descriptions),
    badValues,
    missing: parseNames(x.missing, "missing"),
    unreadable: parseNames(x.unreadable, "unreadable"),
    raw: x,
  };
}

export function parseBreakdowns(x: unknown): Breakdown[] {
  if (!isRecord(x) || !Array.isArray(x.breakdowns)) fail("`breakdowns` must hold a list", x);
  return (x.breakdowns as unknown[]).map((b) => parseBreakdown(b));
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = "";
    try {
      const body: unknown = await response.json();
      if (isRecord(body) && typeof body.error === "string") detail = `: ${body.error}`;
    } catch {
      // The body was not JSON; the status says enough.
    }
    throw new Error(`GET ${url} failed with HTTP ${response.status}${detail}`);
  }
  return response.json();
}

export async function fetchRuns(): Promise<RunInfo[]> {
  return parseRuns(await getJson("runs"));
}

export async function fetchBreakdowns(runs: string[], samples = SAMPLES): Promise<Breakdown[]> {
  if (runs.length === 0) return [];
  const query = new URLSearchParams();
  for (const run of runs) query.append("run", run);
  query.set("samples", String(samples));
  query.set("encoding", "float32");
  return parseBreakdowns(await getJson("breakdowns?" + query.toString()));
}

/**
 * One run's dynamics series (the `dynamics` route), as a breakdown whose series
 * are named `<quantity>/<key>`; names outside the contract are ignored.
 */
export async function fetchDynamics(run: string, samples = SAMPLES): Promise<Breakdown> {
  const query = new URLSearchParams({ run, samples: String(samples), encoding: "float32" });
  return parseBreakdown(await getJson("dynamics?" + query.toString()), (key) => parseDynamicsName(key) !== null);
}

/** A hyperparameter value as `hp.hparams` logs it. */
export type HParamValue = number | string | boolean;

/** The hyperparameters one run logged with TensorBoard's HParams plugin (the `hparams` route). */
export interface RunHParams {
  run: string;
  hparams: Record<string, HParamValue>;
}

function parseHParamValue(v: unknown): HParamValue {
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  return fail("a hyperparameter value must be a number, a string or a boolean", v);
}

export function parseHParams(x: unknown): RunHParams[] {
  if (!isRecord(x) || !Array.isArray(x.runs)) fail("`runs` must hold a list", x);
  return (x.runs as unknown[]).map((r) => {
    if (!isRecord(r) || typeof r.run !== "string" || !isRecord(r.hparams)) {
      fail("each run needs `run` and an object `hparams`", r);
    }
    const hparams: Record<string, HParamValue> = {};
    for (const [name, value] of Object.entries(r.hparams)) hparams[name] = parseHParamValue(value);
    return { run: r.run, hparams };
  });
}

export async function fetchHParams(): Promise<RunHParams[]> {
  return parseHParams(await getJson("hparams"));
}

/** One trainable weight of a decay plan (`tb_regloss.decay_plan`): how it is decayed. */
export interface DecayPlanEntry {
  key: string;
  parameters: number;
  /** The regularizer as configured (`L2(l2=0.001)`), or null. */
  coupled: string | null;
  /** λ of the optimizer's decoupled weight decay, or null. */
  decoupled: number | null;
  findings: string[];
}

/** A finding of a decay plan or of a run's series: its code, the weights it holds for and the fix, one line. */
export interface DecayFinding {
  code: string;
  keys: string[];
  fix: string;
}

/** The decay plan a fit wrote into its training run (the `decay_plan` route). */
export interface DecayPlan {
  entries: DecayPlanEntry[];
  findings: DecayFinding[];
}

function parseDecayPlanEntry(e: unknown): DecayPlanEntry {
  if (
    !isRecord(e) ||
    typeof e.key !== "string" ||
    typeof e.parameters !== "number" ||
    !(e.coupled === null || typeof e.coupled === "string") ||
    !(e.decoupled === null || typeof e.decoupled === "number")
  ) {
    fail("each decay plan entry needs `key`, `parameters`, `coupled` and `decoupled`", e);
  }
  return {
    key: e.key,
    parameters: e.parameters,
    coupled: e.coupled,
    decoupled: e.decoupled,
    findings: parseNames(e.findings, "findings"),
  };
}

function parseDecayFinding(f: unknown): DecayFinding {
  if (!isRecord(f) || typeof f.code !== "string" || typeof f.fix !== "string") {
    fail("each finding needs `code`, `keys` and `fix`", f);
  }
  return { code: f.code, keys: parseNames(f.keys, "keys"), fix: f.fix };
}

export function parseDecayPlan(x: unknown): DecayPlan {
  if (!isRecord(x) || !Array.isArray(x.entries) || !Array.isArray(x.findings)) {
    fail("a decay plan needs lists `entries` and `findings`", x);
  }
  return {
    entries: (x.entries as unknown[]).map(parseDecayPlanEntry),
    findings: (x.findings as unknown[]).map(parseDecayFinding),
  };
}

/** The decay plan of `run`: one the `runs` route marks with `decay_plan`. */
export async function fetchDecayPlan(run: string): Promise<DecayPlan> {
  return parseDecayPlan(await getJson("decay_plan?" + new URLSearchParams({ run }).toString()));
}

/** The findings read from a run's series (the `findings` route, `tb_regloss.training_findings`). */
export function parseTrainingFindings(x: unknown): DecayFinding[] {
  if (!isRecord(x) || !Array.isArray(x.findings)) fail("the findings of a run need a list `findings`", x);
  return (x.findings as unknown[]).map(parseDecayFinding);
}

/** The findings read from the series of `run`, as of its last logged step. */
export async function fetchTrainingFindings(run: string): Promise<DecayFinding[]> {
  return parseTrainingFindings(await getJson("findings?" + new URLSearchParams({ run }).toString()));
}

/** One run's figures from the `sweep` route: last values, and the lowest data loss with its step; null when the run lacks the series. */
export interface RunSummary {
  run: string;
  step: number | null;
  data: number | null;
  bestData: number | null;
  bestStep: number | null;
  total: number | null;
  /** Sum of the penalties at the total's last step. */
  reg: number | null;
}

function optionalNumber(r: Record<string, unknown>, field: string): number | null {
  const v = r[field];
  if (v === undefined || v === null) return null;
  return parseValue(v);
}

export function parseSweep(x: unknown): RunSummary[] {
  if (!isRecord(x) || !Array.isArray(x.runs)) fail("`runs` must hold a list", x);
  return (x.runs as unknown[]).map((r) => {
    if (!isRecord(r) || typeof r.run !== "string") fail("each run of the sweep needs `run`", r);
    return {
      run: r.run,
      step: optionalNumber(r, "step"),
      data: optionalNumber(r, "data"),
      bestData: optionalNumber(r, "best_data"),
      bestStep: optionalNumber(r, "best_step"),
      total: optionalNumber(r, "total"),
      reg: optionalNumber(r, "reg"),
    };
  });
}

/** The figures of every run with regloss series, in one request (the `sweep` route). */
export async function fetchSweep(): Promise<RunSummary[]> {
  return parseSweep(await getJson("sweep"));
}

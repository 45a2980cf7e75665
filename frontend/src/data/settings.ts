/**
 * The user's dashboard settings: defaults, validation, and persistence in
 * localStorage so a reload (or reopening TensorBoard) keeps them.
 */
import type { Grouping } from "./group";
import type { BandOrder } from "./order";
import type { Mode } from "./stack";

/** The x axis of the charts: the step, the time since the run's first point, or the wall time. */
export type XAxis = "step" | "relative" | "wall";
export type YScale = "linear" | "log";

export type SortColumn = "term" | "value" | "share" | "penaltyShare";
/** Cards side by side as the width allows, in 1, 2 or 3 columns, or one run alone and large. */
export type Layout = "auto" | "1" | "2" | "3" | "focus";

export interface Settings {
  mode: Mode;
  grouping: Grouping;
  /** Stack order of the penalty bands. */
  order: BandOrder;
  topK: number;
  /** Levels of the network hierarchy the "by block" grouping keeps (1 = top-level blocks). */
  depth: number;
  xAxis: XAxis;
  /** The y axis of the charts; share mode is always linear. */
  yScale: YScale;
  /** EMA weight in [0, 1), like the Scalars dashboard's smoothing slider. */
  smoothing: number;
  sharedY: boolean;
  runFilter: string;
  /** Series keys hidden through the legend. */
  hidden: string[];
  sortColumn: SortColumn;
  sortDescending: boolean;
  layout: Layout;
  /** The run the focused layout shows; the first shown run when empty or filtered out. */
  focusRun: string;
}

export const DEFAULTS: Readonly<Settings> = {
  mode: "absolute",
  grouping: "term",
  order: "size",
  topK: 10,
  depth: 1,
  xAxis: "step",
  yScale: "linear",
  smoothing: 0.6,
  sharedY: false,
  runFilter: "",
  hidden: [],
  sortColumn: "value",
  sortDescending: true,
  layout: "auto",
  focusRun: "",
};

/** Deeper than any network's naming goes; the control stops here. */
export const MAX_DEPTH = 8;

const STORAGE_KEY = "tb-regloss.settings.v1";

const CHOICES: { [K in keyof Settings]?: readonly string[] } = {
  mode: ["absolute", "share", "penalties"],
  grouping: ["term", "layer", "block", "kind", "topk"],
  order: ["size", "name"],
  layout: ["auto", "1", "2", "3", "focus"],
  xAxis: ["step", "relative", "wall"],
  yScale: ["linear", "log"],
  sortColumn: ["term", "value", "share", "penaltyShare"],
};

/** Keeps the valid fields of `input` over the defaults; anything else is dropped. */
export function sanitize(input: unknown): Settings {
  const out: Settings = { ...DEFAULTS, hidden: [] };
  if (typeof input !== "object" || input === null) return out;
  const x = input as Record<string, unknown>;
  for (const key of ["mode", "grouping", "order", "xAxis", "yScale", "sortColumn", "layout"] as const) {
    const v = x[key];
    if (typeof v === "string" && CHOICES[key]!.includes(v)) (out as unknown as Record<string, unknown>)[key] = v;
  }
  if (typeof x.topK === "number" && Number.isInteger(x.topK) && x.topK >= 1) out.topK = Math.min(x.topK, 100);
  if (typeof x.depth === "number" && Number.isInteger(x.depth) && x.depth >= 1) out.depth = Math.min(x.depth, MAX_DEPTH);
  if (typeof x.smoothing === "number" && x.smoothing >= 0 && x.smoothing < 1) out.smoothing = x.smoothing;
  if (typeof x.sharedY === "boolean") out.sharedY = x.sharedY;
  if (typeof x.sortDescending === "boolean") out.sortDescending = x.sortDescending;
  if (typeof x.runFilter === "string") out.runFilter = x.runFilter;
  if (typeof x.focusRun === "string") out.focusRun = x.focusRun;
  if (Array.isArray(x.hidden)) out.hidden = x.hidden.filter((k): k is string => typeof k === "string");
  return out;
}

export function loadSettings(storage: Storage | null): Settings {
  try {
    const text = storage?.getItem(STORAGE_KEY);
    return sanitize(text ? JSON.parse(text) : null);
  } catch {
    // Storage can be disabled or hold junk; defaults are a fine start.
    return sanitize(null);
  }
}

export function saveSettings(storage: Storage | null, settings: Settings): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // Quota or privacy mode: the settings still live for this session.
  }
}

/** The run filter as a RegExp, or null while the user types an invalid one. */
export function runFilterRegExp(filter: string): RegExp | null {
  try {
    return new RegExp(filter, "i");
  } catch {
    return null;
  }
}

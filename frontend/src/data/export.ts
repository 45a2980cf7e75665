/**
 * The CSV and JSON of one run's breakdown, for its downloads, exactly as
 * received (no smoothing, no grouping): non-finite values are written as
 * NaN/Infinity, gaps as empty CSV cells. The CSV writes each series value as
 * the shortest text of its float32 (0.094, not 0.09399999678134918); steps and
 * wall times as they are.
 */
import type { Breakdown } from "./api";
import { float32Text } from "../common/format";

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(b: Breakdown): string {
  const keys = [...b.series.keys()];
  const rows = [["step", "wall_time", ...keys].map(csvCell).join(",")];
  for (let i = 0; i < b.steps.length; i++) {
    const cells = [String(b.steps[i]), String(b.wallTimes[i])];
    for (const key of keys) {
      const v = b.series.get(key)![i];
      cells.push(v === null ? "" : float32Text(v));
    }
    rows.push(cells.join(","));
  }
  return rows.join("\n") + "\n";
}

/** A value as the JSON form writes it: non-finite values as strings, gaps as null. */
function jsonValue(v: number | null): number | string | null {
  return v === null || Number.isFinite(v) ? v : String(v);
}

/**
 * The breakdown as the backend's JSON form: the answer as received, except that
 * float32-encoded series (`encoding=float32`) are written back as lists of
 * values, without `gaps` and `encoding`, so the download reads the same either way.
 */
export function toJson(b: Breakdown): string {
  let out = b.raw;
  if (typeof out === "object" && out !== null && (out as Record<string, unknown>).encoding === "float32") {
    const { gaps: _gaps, encoding: _encoding, ...rest } = out as Record<string, unknown>;
    const series: Record<string, (number | string | null)[]> = {};
    for (const [key, values] of b.series) series[key] = values.map(jsonValue);
    out = { ...rest, series };
  }
  return JSON.stringify(out, null, 1) + "\n";
}

/**
 * CSV and JSON downloads of one run's breakdown, exactly as received (no
 * smoothing, no grouping): non-finite values are written as NaN/Infinity, gaps
 * as empty CSV cells.
 */
import type { Breakdown } from "./api";

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
      cells.push(v === null ? "" : String(v));
    }
    rows.push(cells.join(","));
  }
  return rows.join("\n") + "\n";
}

export function toJson(b: Breakdown): string {
  return JSON.stringify(b.raw, null, 1) + "\n";
}

/** A file name for a run: `exp1/train` → `regloss-exp1_train.csv`. */
export function fileName(run: string, extension: "csv" | "json"): string {
  return `regloss-${run.replace(/[^A-Za-z0-9._-]+/g, "_")}.${extension}`;
}

/** Saves `text` as a file through a temporary object URL. */
export function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Renders the sweep table: one row per experiment, its hyperparameters, then
 * the figures; every header sorts. Names and values are set as text.
 */
import type { HParamValue } from "../data/api";
import { formatCount, formatShare, formatValue } from "../common/format";
import { COLUMN_TITLES, METRIC_COLUMNS, sortSweep, sweepHParamNames, type SweepColumn, type SweepRow } from "./sweep";

/** Hyperparameter values longer than this wrap inside their cell; shorter ones stay on one line. */
const LONG_HPARAM = 24;

function hparamText(v: HParamValue | undefined): string {
  return v === undefined ? "–" : String(v);
}

function metricText(row: SweepRow, column: (typeof METRIC_COLUMNS)[number]): string {
  if (column === "penaltyShare") return formatShare(row.penaltyShare);
  if (column === "bestValidationStep") return formatCount(row.bestValidationStep);
  return formatValue(row[column]);
}

function headerCell(tr: HTMLTableRowElement, column: SweepColumn, title: string, sort: { column: SweepColumn; descending: boolean }, onSort: (c: SweepColumn) => void, className = ""): void {
  const th = document.createElement("th");
  th.scope = "col";
  if (className) th.className = className;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = title + (sort.column === column ? (sort.descending ? " ▼" : " ▲") : "");
  button.addEventListener("click", () => onSort(column));
  th.setAttribute("aria-sort", sort.column === column ? (sort.descending ? "descending" : "ascending") : "none");
  th.appendChild(button);
  tr.appendChild(th);
}

/** Fills `table` with `rows` sorted by `sort`; a header click calls `onSort` with its column. */
export function renderSweepTable(
  table: HTMLTableElement,
  rows: SweepRow[],
  sort: { column: SweepColumn; descending: boolean },
  onSort: (column: SweepColumn) => void,
): void {
  const names = sweepHParamNames(rows);
  const head = document.createElement("thead");
  const tr = head.insertRow();
  headerCell(tr, "run", "Run", sort, onSort);
  for (const name of names) headerCell(tr, `hparam:${name}`, name, sort, onSort, "hparam");
  for (const column of METRIC_COLUMNS) headerCell(tr, column, COLUMN_TITLES[column], sort, onSort, "number");
  const body = document.createElement("tbody");
  for (const row of sortSweep(rows, sort.column, sort.descending)) {
    const r = body.insertRow();
    r.dataset.run = row.prefix;
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = row.prefix;
    r.appendChild(th);
    for (const name of names) {
      const td = r.insertCell();
      const text = hparamText(row.hparams[name]);
      // Numbers and short words never break ("0.01" is not cut into digits); long values wrap.
      td.className = text.length > LONG_HPARAM ? "hparam long" : "hparam";
      td.textContent = text;
    }
    for (const column of METRIC_COLUMNS) {
      const td = r.insertCell();
      td.className = "number";
      td.textContent = metricText(row, column);
    }
  }
  table.replaceChildren(head, body);
}

/**
 * The two tables under a run's chart: the latest value of every term, decoupled
 * decay included (value, share of the total, share of the penalties; sortable;
 * names without their `penalty/` prefix, the kind as a marker), and every term's
 * details (layer, weight, kind, and from its description the parameter count,
 * regularizer and factor).
 */
import type { Breakdown, Series } from "../data/api";
import { familyKeys, MODEL_LAYER } from "../data/group";
import { parseDescription } from "../data/describe";
import { formatCount, formatShare, formatValue } from "../common/format";
import { displayName, kindMarker, type KindMarker } from "../data/names";
import type { SortColumn } from "../data/settings";
import { termKind, termLayer } from "../data/tags";
import { latest } from "./view";

export interface LatestRow {
  key: string;
  label: string;
  kind: KindMarker | null;
  value: number | null;
  step: number | null;
  /** Fraction of the latest total; NaN without one, and for decoupled decay (not part of the loss). */
  share: number;
  /** Fraction of the sum of the latest penalties; NaN for the data loss and decoupled decay. */
  penaltyShare: number;
}

/**
 * Latest raw values of the data loss, every penalty term and every decoupled
 * term, unsorted; when the chart groups the terms, the penalties are its groups
 * (`groups`: their raw sums, as `rawGroups` in manyterms.ts gives them), so the
 * table follows the grouping.
 */
export function latestRows(b: Breakdown, groups?: readonly { key: string; label: string; values: Series }[]): LatestRow[] {
  const total = latest(b.series.get("total") ?? []);
  const term = (key: string) => ({ key, label: displayName(key), values: b.series.get(key)! });
  const data = b.series.has("data") ? [term("data")] : [];
  const penalties = groups ? groups.map((g) => ({ ...g, label: displayName(g.key) })) : familyKeys(b, "penalty").map(term);
  const decoupled = familyKeys(b, "decoupled").map(term);
  const row = ({ key, label, values }: { key: string; label: string; values: Series }, inLoss: boolean): LatestRow => {
    const last = latest(values);
    return {
      key,
      label,
      kind: kindMarker(key),
      value: last?.value ?? null,
      step: last === null ? null : b.steps[last.index],
      share: inLoss && last && total && total.value !== 0 ? last.value / total.value : NaN,
      penaltyShare: NaN,
    };
  };
  const penaltyRows = penalties.map((p) => row(p, true));
  const penaltySum = penaltyRows.reduce((s, r) => (r.value === null ? s : s + r.value), 0);
  for (const r of penaltyRows) {
    if (r.value !== null && penaltySum !== 0) r.penaltyShare = r.value / penaltySum;
  }
  return [...data.map((d) => row(d, true)), ...penaltyRows, ...decoupled.map((d) => row(d, false))];
}

export function sortRows(rows: LatestRow[], column: SortColumn, descending: boolean): LatestRow[] {
  const sign = descending ? -1 : 1;
  const num = (v: number | null) => (v === null || Number.isNaN(v) ? -Infinity : v);
  return [...rows].sort((a, b) => {
    const c =
      column === "term"
        ? a.label < b.label
          ? -1
          : a.label > b.label
            ? 1
            : 0
        : column === "value"
          ? num(a.value) - num(b.value)
          : num(a[column]) - num(b[column]);
    return sign * c || (a.key < b.key ? -1 : 1);
  });
}

const COLUMNS: { column: SortColumn; title: string }[] = [
  { column: "term", title: "Term" },
  { column: "value", title: "Latest value" },
  { column: "share", title: "Share of total" },
  { column: "penaltyShare", title: "Share of penalties" },
];

function textCell(tr: HTMLTableRowElement, text: string, tag: "td" | "th" = "td"): HTMLElement {
  const cell = document.createElement(tag);
  cell.textContent = text;
  tr.appendChild(cell);
  return cell;
}

/** Writes `name` as text with a line-break opportunity after each `/`, the only place a name may wrap. */
export function appendBreakable(parent: HTMLElement, name: string): void {
  const parts = name.split("/");
  parts.forEach((part, i) => {
    parent.append(i < parts.length - 1 ? part + "/" : part);
    if (i < parts.length - 1) parent.appendChild(document.createElement("wbr"));
  });
}

/** The row header: the name, then the kind as a small marker. */
function termCell(tr: HTMLTableRowElement, name: string, kind: KindMarker | null): void {
  const th = textCell(tr, "", "th");
  th.setAttribute("scope", "row");
  const text = document.createElement("span");
  text.className = "term-name";
  appendBreakable(text, name);
  th.appendChild(text);
  if (kind !== null) {
    const marker = document.createElement("span");
    marker.className = "kind";
    marker.textContent = kind;
    th.append(" ", marker);
  }
}

/** Renders the first `limit` rows of the latest-values table; header buttons call `onSort`. */
export function renderLatestTable(
  table: HTMLTableElement,
  rows: LatestRow[],
  column: SortColumn,
  descending: boolean,
  limit: number,
  onSort: (column: SortColumn) => void,
): void {
  table.replaceChildren();
  table.className = "latest-table";
  const head = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement("th");
    th.scope = "col";
    if (c.column === column) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.sort = c.column;
    button.textContent = c.title + (c.column === column ? (descending ? " ▼" : " ▲") : "");
    button.addEventListener("click", () => onSort(c.column));
    th.appendChild(button);
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const r of sortRows(rows, column, descending).slice(0, limit)) {
    const tr = body.insertRow();
    tr.dataset.key = r.key;
    termCell(tr, r.label, r.kind);
    textCell(tr, formatValue(r.value)).title = r.step === null ? "" : `at step ${r.step}`;
    textCell(tr, formatShare(r.share));
    textCell(tr, formatShare(r.penaltyShare));
  }
}

/**
 * Renders the per-term details table: layer, weight, kind, parameter count,
 * regularizer and factor. The regularizer cell's title holds the full description.
 */
export function renderDetailsTable(table: HTMLTableElement, b: Breakdown): void {
  table.replaceChildren();
  table.className = "details-table";
  const head = table.createTHead().insertRow();
  for (const title of ["Term", "Layer", "Weight", "Kind", "Parameters", "Regularizer", "Factor"]) {
    textCell(head, title, "th").setAttribute("scope", "col");
  }
  const body = table.createTBody();
  for (const key of [...familyKeys(b, "penalty"), ...familyKeys(b, "decoupled")]) {
    const term = key.slice(key.indexOf("/") + 1);
    const kind = termKind(term);
    const layer = termLayer(term);
    const description = b.descriptions[key];
    const parsed = parseDescription(description ?? "");
    const tr = body.insertRow();
    tr.dataset.key = key;
    const th = textCell(tr, "", "th");
    th.setAttribute("scope", "row");
    appendBreakable(th, displayName(key));
    textCell(tr, layer === "" ? MODEL_LAYER : layer);
    // The rest of the key, `#N` kept: it tells same-named weights apart.
    textCell(tr, kind === "activity" || kind === "add_loss" ? "–" : term.slice(layer === "" ? 0 : layer.length + 1));
    textCell(tr, key.startsWith("decoupled/") ? "decoupled decay" : kind);
    textCell(tr, formatCount(parsed.parameters)).className = "number";
    const regularizer = textCell(tr, parsed.regularizer ?? "–");
    if (description !== undefined) regularizer.title = description;
    textCell(tr, parsed.factor ?? "–");
  }
}

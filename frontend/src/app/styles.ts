/** The dashboard's stylesheet, injected once; colors come from CSS variables so dark mode is one class. */
export const CSS = `
:root {
  --fg: #212121; --muted: #616161; --bg: #fff; --card: #fff; --border: #e0e0e0;
  --accent: #f57c00; --warn-bg: #fff4e5; --warn-fg: #8a4b00; --tip-bg: rgba(255,255,255,0.97);
  --total: #212121; --grid: #ebebeb;
  color-scheme: light;
}
:root.dark {
  --fg: #e0e0e0; --muted: #9e9e9e; --bg: #303030; --card: #3a3a3a; --border: #555;
  --accent: #ffa726; --warn-bg: #4a3a1a; --warn-fg: #ffd699; --tip-bg: rgba(40,40,40,0.97);
  --total: #fafafa; --grid: #4a4a4a;
  color-scheme: dark;
}
body { margin: 0; padding: 12px 16px; background: var(--bg); color: var(--fg);
  font: 13px/1.4 Roboto, system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 16px; font-weight: 500; margin: 0 0 8px; }
.controls { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin-bottom: 8px; }
.controls label { display: inline-flex; gap: 6px; align-items: center; }
.controls label > span { color: var(--muted); }
.controls label[hidden] { display: none; }
.controls select[name=focus-run] { max-width: 16em; }
.controls input, .controls select { font: inherit; color: inherit; background: var(--card);
  border: 1px solid var(--border); border-radius: 3px; padding: 2px 4px; }
.controls input[type=number] { width: 4em; }
.controls input[aria-invalid=true] { border-color: #d32f2f; }
.filter-error { color: #d32f2f; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 6px; margin: 4px 0 6px; font-size: 12px; }
.legend-entry { display: inline-flex; align-items: center; gap: 4px; font: inherit; color: inherit;
  background: none; border: 1px solid transparent; border-radius: 3px; padding: 1px 5px; cursor: pointer; }
.legend-entry:hover { border-color: var(--border); }
.legend-entry[aria-pressed=false] { opacity: 0.4; text-decoration: line-through; }
.legend-entry[hidden] { display: none; }
.legend-kind, .kind { font-size: 10px; color: var(--muted); border: 1px solid var(--border); border-radius: 3px;
  padding: 0 3px; line-height: 1.3; white-space: nowrap; }
.legend-kind[hidden] { display: none; }
.legend-value { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.legend-more { font: inherit; color: var(--accent); background: none; border: 0; padding: 1px 5px; cursor: pointer; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
.swatch-line { height: 2px; background: var(--total); }
.runs { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
.runs.layout-1, .runs.layout-focus { grid-template-columns: minmax(0, 1fr); }
.runs.layout-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.runs.layout-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.run-card { background: var(--card); border: 1px solid var(--border); border-radius: 4px; padding: 8px 10px; min-width: 0; }
.run-card.pending { min-height: var(--pending-height, 480px); box-sizing: border-box; }
.run-card header { display: flex; gap: 8px; align-items: baseline; }
.run-card header { flex-wrap: wrap; }
.run-card h2 { font-size: 14px; font-weight: 500; margin: 0; flex: 1; overflow-wrap: anywhere; }
.run-card button[hidden] { display: none; }
.chart-header { display: flex; gap: 8px; align-items: baseline; }
.chart-header h3 { flex: 1; }
.decoupled[hidden] { display: none; }
.decoupled-note { font-size: 11px; color: var(--muted); margin: 0 0 4px; }
.run-card h3 { font-size: 12px; font-weight: 500; color: var(--muted); margin: 8px 0 2px; }
.run-card button.download { font: inherit; font-size: 12px; color: var(--accent); background: none;
  border: 1px solid var(--border); border-radius: 3px; padding: 1px 6px; cursor: pointer; }
.warning { background: var(--warn-bg); color: var(--warn-fg); border-radius: 3px; padding: 4px 8px; margin: 4px 0; overflow-wrap: anywhere; }
.warning::before { content: "⚠ "; }
.notice { color: var(--muted); margin: 6px 0; }
ul.findings { list-style: none; margin: 4px 0; padding: 0; }
ul.findings li[data-finding] { background: var(--warn-bg); color: var(--warn-fg); border-radius: 3px; padding: 4px 8px;
  margin: 4px 0; overflow-wrap: anywhere; }
ul.findings .finding-what { font-weight: 500; }
ul.findings .finding-doc { color: var(--accent); }
ul.findings[hidden], .decay-plan[hidden] { display: none; }
.decay-plan-entries td:nth-child(2), .decay-plan-entries td:nth-child(4) { text-align: right; font-variant-numeric: tabular-nums; }
.decay-plan-entries tr.decay-plan-group th { text-align: left; font-weight: 500; }
.decay-plan-entries tr.decay-plan-entry td:first-child { padding-left: 1.2em; }
.empty { max-width: 640px; margin: 40px auto; text-align: center; color: var(--muted); }
.empty code, .notice code { display: inline-block; margin-top: 6px; padding: 4px 8px; color: var(--fg);
  background: var(--card); border: 1px solid var(--border); border-radius: 3px; font: 12px ui-monospace, monospace; }
.error { color: #d32f2f; }
.chart { position: relative; }
.chart svg { display: block; overflow: visible; }
.chart path[data-series] { stroke: var(--card); stroke-width: 0.3; }
.total-line { fill: none; stroke: var(--total); stroke-width: 1.5; }
.axis text { fill: var(--muted); }
.axis path, .axis line { stroke: var(--border); }
.hover-rule { stroke: var(--fg); stroke-width: 1; pointer-events: none; }
.overlay { fill: transparent; cursor: crosshair; }
.tooltip { position: absolute; left: 0; top: 0; z-index: 2; pointer-events: none; min-width: 200px; max-width: 380px; contain: layout paint;
  background: var(--tip-bg); border: 1px solid var(--border); border-radius: 3px; padding: 4px 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.2); font-size: 12px; }
.tooltip[hidden], .tooltip-row[hidden], .tooltip-more[hidden] { display: none; }
.tooltip-header { display: block; font-weight: 500; margin-bottom: 2px; }
.tooltip-row { display: grid; grid-template-columns: 10px 1fr auto 3.6em; gap: 6px; align-items: center; }
.tooltip.smoothed .tooltip-row { grid-template-columns: 10px 1fr auto auto 3.6em; }
.tooltip:not(.smoothed) .tooltip-raw { display: none; }
.tooltip-raw { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
.tooltip-columns { color: var(--muted); font-size: 11px; }
.tooltip-columns[hidden] { display: none; }
.tooltip-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tooltip-value, .tooltip-share { text-align: right; font-variant-numeric: tabular-nums; }
.tooltip-total { font-weight: 500; border-bottom: 1px solid var(--border); padding-bottom: 2px; margin-bottom: 2px; }
.tooltip-more { display: block; color: var(--muted); }
details { margin-top: 6px; }
summary { cursor: pointer; color: var(--muted); }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin-top: 4px; }
/* Words never break inside ("kern el"): a narrow card scrolls its table sideways instead. Term names wrap after their slashes. */
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--border); overflow-wrap: normal; word-break: normal; }
thead th { white-space: nowrap; }
td { font-variant-numeric: tabular-nums; }
.latest-table td { text-align: right; white-space: nowrap; }
.details-table td.number { text-align: right; }
thead th { font-weight: 500; color: var(--muted); }
tbody th { font-weight: 400; }
.show-all { font: inherit; font-size: 12px; color: var(--accent); background: none; border: 0; padding: 2px 0; cursor: pointer; }
thead button { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; }
`;

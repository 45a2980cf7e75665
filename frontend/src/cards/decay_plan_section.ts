/**
 * A run's decay plan on its card (the `decay_plan` route, `tb_regloss.decay_plan`):
 * the findings at the top, one line each (`findings_list`), then the plan
 * itself, folded, as a table of every trainable weight, grouped by block at
 * the dashboard's Depth as the other views group terms (`depth.blockPaths`):
 * one `tbody[data-group]` per block, its header row with the block's
 * parameters and findings. Hidden for a run without a plan (a validation run, a
 * custom loop's: `runs` does not mark it), which is never asked for. Every
 * text is set as text (d3's `text`, i.e. `textContent`).
 */
import { format } from "d3-format";
import { select } from "d3-selection";
import { fetchDecayPlan, type DecayPlan, type DecayPlanEntry } from "../data/api";
import { blockPaths, groupAt } from "../data/depth";
import { element } from "../common/dom";
import { renderFindings } from "./findings_list";

const COLUMNS = ["Weight", "Parameters", "Coupled", "Decoupled λ", "Findings"];
const count = format(",");

function cells(e: DecayPlanEntry): string[] {
  return [e.key, count(e.parameters), e.coupled ?? "—", e.decoupled === null ? "—" : String(e.decoupled), e.findings.join(", ")];
}

export class DecayPlanSection {
  readonly el = element("div", "decay-plan");
  private readonly findings = element("ul", "findings");
  private readonly details = element("details", "decay-plan-table");
  private readonly table = document.createElement("table");
  private run: string | null = null;
  /** Counts requests: an answer for a run the card no longer shows is dropped. */
  private request = 0;
  /** The plan shown and the depth its weights are grouped at (the dashboard's Depth). */
  private plan: DecayPlan | null = null;
  private depth = 1;

  constructor(private readonly fetcher: (run: string) => Promise<DecayPlan> = fetchDecayPlan) {
    this.el.hidden = true;
    const scroll = element("div", "table-scroll");
    scroll.appendChild(this.table);
    this.details.append(element("summary", "", "Decay plan"), scroll);
    this.el.append(this.findings, this.details);
  }

  /** Shows the plan of `run` if it `hasPlan`, fetched once per run; a failed fetch leaves the section hidden. */
  setRun(run: string, hasPlan: boolean): void {
    const shown = hasPlan ? run : null;
    if (shown === this.run) return;
    this.run = shown;
    const request = ++this.request;
    this.render(null);
    if (shown === null) return;
    this.fetcher(shown).then(
      (plan) => {
        if (request === this.request) this.render(plan);
      },
      () => {
        if (request === this.request) this.render(null);
      },
    );
  }

  /** Groups the plan's weights at `depth` (the dashboard's Depth), redrawing only when it changes. */
  setDepth(depth: number): void {
    if (depth === this.depth) return;
    this.depth = depth;
    if (this.plan) this.render(this.plan);
  }

  render(plan: DecayPlan | null): void {
    this.plan = plan;
    this.el.hidden = plan === null;
    renderFindings(this.findings, plan?.findings ?? []);
    const table = select(this.table).attr("class", "decay-plan-entries");
    table.selectAll("*").remove();
    if (!plan) return;
    table.append("thead").append("tr").selectAll("th").data(COLUMNS).join("th").text((c) => c);
    for (const [group, entries] of groupEntries(plan.entries, this.depth)) {
      const body = table.append("tbody").attr("data-group", group);
      const header = body.append("tr").attr("class", "decay-plan-group");
      const findings = [...new Set(entries.flatMap((e) => e.findings))];
      header.append("th").attr("scope", "rowgroup").text(`${group || "(model)"} (${entries.length})`);
      header
        .selectAll("td")
        .data([count(entries.reduce((n, e) => n + e.parameters, 0)), "", "", findings.join(", ")])
        .join("td")
        .text((c) => c);
      body
        .selectAll("tr.decay-plan-entry")
        .data(entries)
        .join("tr")
        .attr("class", "decay-plan-entry")
        .attr("data-key", (e) => e.key)
        .selectAll("td")
        .data(cells)
        .join("td")
        .text((c) => c);
    }
  }
}

/** The plan's entries by block at `depth`, the blocks in the order of their first weight. */
export function groupEntries(entries: readonly DecayPlanEntry[], depth: number): Map<string, DecayPlanEntry[]> {
  const paths = blockPaths(entries.map((e) => e.key));
  const groups = new Map<string, DecayPlanEntry[]>();
  for (const e of entries) {
    const group = groupAt(paths.get(e.key)!, depth);
    groups.set(group, [...(groups.get(group) ?? []), e]);
  }
  return groups;
}

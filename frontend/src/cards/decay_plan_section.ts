/**
 * A run's decay plan on its card (the `decay_plan` route, `tb_regloss.decay_plan`):
 * the findings at the top, one line each (`findings_list`), then the plan
 * itself, folded, as a table of every trainable weight. Hidden for a run without a plan (a validation run, a
 * custom loop's: `runs` does not mark it), which is never asked for. Every
 * text is set as text (d3's `text`, i.e. `textContent`).
 */
import { format } from "d3-format";
import { select } from "d3-selection";
import { fetchDecayPlan, type DecayPlan, type DecayPlanEntry } from "../data/api";
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

  render(plan: DecayPlan | null): void {
    this.el.hidden = plan === null;
    renderFindings(this.findings, plan?.findings ?? []);
    const table = select(this.table).attr("class", "decay-plan-entries");
    table.selectAll("*").remove();
    if (!plan) return;
    table.append("thead").append("tr").selectAll("th").data(COLUMNS).join("th").text((c) => c);
    table
      .append("tbody")
      .selectAll("tr")
      .data(plan.entries)
      .join("tr")
      .attr("data-key", (e) => e.key)
      .selectAll("td")
      .data(cells)
      .join("td")
      .text((c) => c);
  }
}

/**
 * A run's decay plan on its card (the `decay_plan` route, `tb_regloss.decay_plan`):
 * the findings at the top, one line each — what, where, the fix and a link to
 * its explanation — then the plan itself, folded, as a table of every
 * trainable weight. Hidden for a run without a plan (a validation run, a
 * custom loop's: `runs` does not mark it), which is never asked for. Every
 * text is set as text (d3's `text`, i.e. `textContent`).
 */
import { format } from "d3-format";
import { select } from "d3-selection";
import { fetchDecayPlan, type DecayFinding, type DecayPlan, type DecayPlanEntry } from "./api";
import { element } from "./dom";

/** Where the findings are explained, one anchor per code: tb-regloss' `docs/findings.md`. */
export const FINDINGS_DOC = "docs/findings.md";

/** What each finding means, in one line: the twin of `tb_regloss.decay_plans.what`. */
export const FINDING_WHAT: Readonly<Record<string, string>> = {
  l2_under_adaptive_optimizer: "L2 penalty under an adaptive optimizer, which rescales its gradient: not weight decay",
  norm_decayed: "normalization scales and shifts decayed toward 0",
  bias_decayed: "biases decayed, which does not regularize the function",
  embedding_decayed: "embeddings decayed: rows of rare tokens shrink toward 0",
  double_decay: "decayed twice, by a regularizer and by the optimizer's weight_decay",
  adapter_decayed: "LoRA adapters decayed, shrinking the fine-tuned change toward none",
};

/** Weights named in a finding's line; the others are counted. */
const KEYS_SHOWN = 3;
const COLUMNS = ["Weight", "Parameters", "Coupled", "Decoupled λ", "Findings"];
const count = format(",");

/** Where a finding holds: its first weights, then how many more. */
export function findingWhere(keys: readonly string[]): string {
  const shown = keys.slice(0, KEYS_SHOWN).join(", ");
  return keys.length > KEYS_SHOWN ? `${shown} (+${keys.length - KEYS_SHOWN} more)` : shown;
}

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
    select(this.findings)
      .selectAll<HTMLLIElement, DecayFinding>("li")
      .data(plan?.findings ?? [])
      .join("li")
      .attr("data-finding", (f) => f.code)
      .each(function (f) {
        const li = select(this);
        li.selectAll("*").remove();
        li.append("span").attr("class", "finding-what").text(FINDING_WHAT[f.code] ?? f.code);
        li.append("span").attr("class", "finding-where").text(` on ${findingWhere(f.keys)}. `);
        li.append("span").attr("class", "finding-fix").text(`Fix: ${f.fix}. `);
        li.append("a")
          .attr("class", "finding-doc")
          .attr("href", `${FINDINGS_DOC}#${f.code}`)
          .attr("target", "_blank")
          .attr("rel", "noopener noreferrer")
          .text(`${FINDINGS_DOC}#${f.code}`);
      });
    this.findings.hidden = !plan || plan.findings.length === 0;
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

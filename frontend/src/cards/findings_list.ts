/**
 * A list of findings, one line each — what, where, the fix and a link to its
 * explanation — as the decay plan and the training series give them (both
 * `{code, keys, fix}`). Each line is an `li` with `data-finding="<code>"`;
 * every text is set as text (d3's `text`, i.e. `textContent`).
 */
import { select } from "d3-selection";
import type { DecayFinding } from "../data/api";

/** Where the findings are explained, one anchor per code: tb-regloss' `docs/findings.md`. */
export const FINDINGS_DOC = "docs/findings.md";

/**
 * What each finding means, in one line: the twin of `tb_regloss.decay_plans.what`
 * and of the codes of `tb_regloss.training_findings`.
 */
export const FINDING_WHAT: Readonly<Record<string, string>> = {
  l2_under_adaptive_optimizer: "L2 penalty under an adaptive optimizer, which rescales its gradient: not weight decay",
  norm_decayed: "normalization scales and shifts decayed toward 0",
  bias_decayed: "biases decayed, which does not regularize the function",
  embedding_decayed: "embeddings decayed: rows of rare tokens shrink toward 0",
  double_decay: "decayed twice, by a regularizer and by the optimizer's weight_decay",
  adapter_decayed: "LoRA adapters decayed, shrinking the fine-tuned change toward none",
  decay_dominates: "decay's gradient outweighs the data's for most of training",
  decay_stalls_training: "the penalties keep shrinking while the data loss stays flat",
};

/** Weights named in a finding's line; the others are counted. */
const KEYS_SHOWN = 3;

/** Where a finding holds: its first weights, then how many more. */
export function findingWhere(keys: readonly string[]): string {
  const shown = keys.slice(0, KEYS_SHOWN).join(", ");
  return keys.length > KEYS_SHOWN ? `${shown} (+${keys.length - KEYS_SHOWN} more)` : shown;
}

/** Shows `findings` in the list `ul`, one `li[data-finding]` each; hides `ul` when there is none. */
export function renderFindings(ul: HTMLUListElement, findings: readonly DecayFinding[]): void {
  select(ul)
    .selectAll<HTMLLIElement, DecayFinding>("li")
    .data(findings)
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
  ul.hidden = findings.length === 0;
}

/**
 * The findings read from a run's series on its card (the `findings` route,
 * `tb_regloss.training_findings`: `decay_dominates`, `decay_stalls_training`),
 * one line each (`findings_list`), right under the decay plan's. Asked again
 * when the run has logged a later step, so a live run's findings follow its
 * training; hidden while none holds or the fetch fails.
 */
import { fetchTrainingFindings, type DecayFinding, type RunInfo } from "../data/api";
import { element } from "../common/dom";
import { renderFindings } from "./findings_list";

/** Whether a finding can hold for `r`: it has decay ratios, or a data loss and a decay term. */
export function mayHaveFindings(r: RunInfo): boolean {
  const decayed = r.terms.some((t) => t.startsWith("penalty/") || t.startsWith("decoupled/"));
  return r.dynamics.includes("decay_ratio") || (r.terms.includes("data") && decayed);
}

export class TrainingFindingsSection {
  readonly el = element("ul", "findings training-findings");
  private run: string | null = null;
  private lastStep: number | null = null;
  /** Counts requests: an answer for a run (or step) the card no longer shows is dropped. */
  private request = 0;

  constructor(private readonly fetcher: (run: string) => Promise<DecayFinding[]> = fetchTrainingFindings) {
    this.el.hidden = true;
  }

  /**
   * Shows the findings of `run` if it `mayHave` some, fetched once per `lastStep` (the last step
   * the card shows). A new step keeps the findings shown until its answer comes; a new run clears them.
   */
  setRun(run: string, mayHave: boolean, lastStep: number): void {
    const shown = mayHave ? run : null;
    if (shown === this.run && lastStep === this.lastStep) return;
    if (shown !== this.run) renderFindings(this.el, []);
    this.run = shown;
    this.lastStep = lastStep;
    const request = ++this.request;
    if (shown === null) return;
    this.fetcher(shown).then(
      (findings) => {
        if (request === this.request) renderFindings(this.el, findings);
      },
      () => {
        if (request === this.request) renderFindings(this.el, []);
      },
    );
  }
}

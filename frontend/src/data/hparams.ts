/**
 * Pairs the runs of an experiment and finds their hyperparameters.
 *
 * `RegLossCallback("runs/wd_0")` writes `runs/wd_0/train` and
 * `runs/wd_0/validation`: one experiment, two splits, grouped by their prefix
 * `runs/wd_0`. `hp.hparams(...)` is usually called with a writer on the
 * experiment's own directory (`runs/wd_0`), sometimes on a parent (one call for
 * a whole sweep) or on a split's directory; the hyperparameters of an
 * experiment are those of the deepest of these runs.
 */
import type { HParamValue, RunHParams } from "./api";

export type Split = "train" | "validation";

/** The splits the callback writes, as run-name suffixes. */
const SPLITS: readonly Split[] = ["train", "validation"];

export interface RunName {
  /** The experiment: the run name without its split suffix. */
  prefix: string;
  /** The split, or null for a run that has no split suffix (treated as training by the sweep). */
  split: Split | null;
}

/** `runs/wd_0/validation` → `{prefix: "runs/wd_0", split: "validation"}`; `solo` → `{prefix: "solo", split: null}`. */
export function splitRunName(run: string): RunName {
  for (const split of SPLITS) {
    if (run === split) return { prefix: ".", split };
    if (run.endsWith("/" + split)) return { prefix: run.slice(0, -split.length - 1), split };
  }
  return { prefix: run, split: null };
}

/** True if run `parent` is `run` itself or one of its parent directories (`.` is the logdir's root run). */
function isWithin(parent: string, run: string): boolean {
  return parent === run || parent === "." || run.startsWith(parent + "/");
}

/**
 * The hyperparameters of an experiment: those of the deepest hparams run that
 * is the experiment's directory, a parent of it, or one of its `runs`. Empty
 * when none was logged.
 */
export function hparamsFor(prefix: string, runs: string[], logged: RunHParams[]): Record<string, HParamValue> {
  let best: RunHParams | null = null;
  let bestDepth = -1;
  for (const h of logged) {
    const matches = isWithin(h.run, prefix) || runs.includes(h.run);
    const depth = h.run === "." ? 0 : h.run.split("/").length;
    if (matches && depth > bestDepth) {
      best = h;
      bestDepth = depth;
    }
  }
  return best === null ? {} : best.hparams;
}

/** The names of every hyperparameter in `sets`, sorted, each once. */
export function hparamNames(sets: Record<string, HParamValue>[]): string[] {
  const names = new Set<string>();
  for (const s of sets) for (const name of Object.keys(s)) names.add(name);
  return [...names].sort();
}

/**
 * One run's dynamics series grouped as the composition view groups terms (by
 * weight, layer, block at a depth, kind, top K), each quantity combined the way
 * it combines, not averaged blindly:
 *
 * - a norm of a group is the norm of its weights concatenated: ‖w‖ = √Σ‖wᵢ‖²,
 *   and the same for the update and both gradient norms;
 * - its decay ratio is the ratio of those combined gradient norms,
 *   √Σpᵢ² / √Σlᵢ², what the group's own gradient would show;
 * - its angular update is √(Σ‖wᵢ‖²θᵢ² / Σ‖wᵢ‖²): for small angles θᵢ ≈
 *   ‖Δwᵢ‖/‖wᵢ‖, so Σ‖wᵢ‖²θᵢ² ≈ Σ‖Δwᵢ‖² and this is the angle of the concatenated
 *   weights (exact in that limit, and steps rotate a weight by well under a
 *   tenth of a radian);
 * - its equilibrium angle is weighted the same way, over the weights that have
 *   one (the theory does not cover every optimizer).
 *
 * A step where a member has no value (or a quantity the member does not log) is
 * a gap of the group, never a smaller number. A group of one weight is that
 * weight's own series, as logged. Pure, tested with exact numbers.
 */
import type { Breakdown } from "../data/api";
import { blockPaths, groupAt } from "../data/depth";
import type { Grouping } from "../data/group";
import { DYNAMICS_QUANTITIES, parseDynamicsName, termKind, termLayer, type DynamicsQuantity } from "../data/tags";
import { finiteMean } from "../data/order";

export type Quantities = Record<DynamicsQuantity, Float64Array>;

export interface DynamicsGroup {
  /** Unique among the groups: the weight key, or `layer:…`, `block:…`, `kind:…`, `other`. */
  key: string;
  label: string;
  /** Weight keys combined into the group. */
  members: string[];
  values: Quantities;
}

/** The group that merges the weights top-K leaves out. */
export const OTHER = "other";
const MODEL = "(model)";

/** Numbers inside names compare as numbers: `block_2` before `block_10`, as the network runs. */
const naturally = new Intl.Collator("en", { numeric: true }).compare;

/** The weight keys of a dynamics breakdown (series named `<quantity>/<key>`), in natural order. */
export function weightKeys(b: Breakdown): string[] {
  const keys = new Set<string>();
  for (const name of b.series.keys()) {
    const parsed = parseDynamicsName(name);
    if (parsed) keys.add(parsed.key);
  }
  return [...keys].sort(naturally);
}

/** The quantities of one weight; NaN columns for those it does not log. */
export function weightColumns(b: Breakdown, key: string): Quantities {
  const out = {} as Quantities;
  for (const q of DYNAMICS_QUANTITIES) out[q] = b.columns.get(`${q}/${key}`) ?? new Float64Array(b.steps.length).fill(NaN);
  return out;
}

/** The mean of the finite values of a column; -Infinity when it has none (ranked last). */
function rankingMean(values: Float64Array): number {
  const mean = finiteMean(values);
  return Number.isNaN(mean) ? -Infinity : mean;
}

/** `√Σ cᵢ²` step by step; NaN where any column is NaN. */
function rootSumSquares(columns: readonly Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  for (const c of columns) for (let i = 0; i < length; i++) out[i] += c[i] * c[i];
  for (let i = 0; i < length; i++) out[i] = Math.sqrt(out[i]);
  return out;
}

/** `√(Σ‖wᵢ‖²aᵢ² / Σ‖wᵢ‖²)` step by step: an angle of the weights together; NaN without weights. */
function weightedAngle(norms: readonly Float64Array[], angles: readonly Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  if (norms.length === 0) return out.fill(NaN);
  for (let i = 0; i < length; i++) {
    let mass = 0;
    let sum = 0;
    for (let m = 0; m < norms.length; m++) {
      const w2 = norms[m][i] * norms[m][i];
      mass += w2;
      sum += w2 * angles[m][i] * angles[m][i];
    }
    out[i] = Math.sqrt(sum / mass);
  }
  return out;
}

/** Combines the quantities of several weights into those of the group (see the module comment). */
export function combine(members: readonly Quantities[], length: number): Quantities {
  if (members.length === 1) return members[0];
  const all = (q: DynamicsQuantity) => members.map((m) => m[q]);
  const penalty = rootSumSquares(all("penalty_grad_norm"), length);
  const loss = rootSumSquares(all("loss_grad_norm"), length);
  // Weights without an equilibrium series do not log one at all: leave them out of that mean.
  const withEquilibrium = members.filter((m) => m.angular_equilibrium.some((v) => !Number.isNaN(v)));
  return {
    weight_norm: rootSumSquares(all("weight_norm"), length),
    update_norm: rootSumSquares(all("update_norm"), length),
    angular_update: weightedAngle(all("weight_norm"), all("angular_update"), length),
    angular_equilibrium: weightedAngle(
      withEquilibrium.map((m) => m.weight_norm),
      withEquilibrium.map((m) => m.angular_equilibrium),
      length,
    ),
    penalty_grad_norm: penalty,
    loss_grad_norm: loss,
    decay_ratio: penalty.map((p, i) => p / loss[i]),
  };
}

/**
 * The key the composition view gives the same group, so a group keeps its
 * colour across the card: `layer:…`, `block:…`, `kind:…` and `other` are
 * shared; a single weight is its penalty series, `penalty/<key>`.
 */
export function compositionKey(groupKey: string): string {
  if (groupKey === OTHER || ["layer:", "block:", "kind:"].some((p) => groupKey.startsWith(p))) return groupKey;
  return "penalty/" + groupKey;
}

function groupKeyOf(key: string, grouping: Grouping, path: string[] | undefined, depth: number, top: Set<string>): string {
  switch (grouping) {
    case "term":
      return key;
    case "layer":
      return "layer:" + termLayer(key);
    case "block":
      return "block:" + groupAt(path ?? [], depth);
    case "kind":
      return "kind:" + termKind(key);
    case "topk":
      return top.has(key) ? key : OTHER;
  }
}

function labelOf(groupKey: string): string {
  if (groupKey === OTHER) return "other weights";
  for (const prefix of ["layer:", "block:", "kind:"]) {
    if (groupKey.startsWith(prefix)) return groupKey.length > prefix.length ? groupKey.slice(prefix.length) : MODEL;
  }
  return groupKey;
}

/**
 * The groups of a dynamics breakdown as the settings group them, in natural
 * key order (`other` last). Top-K keeps the K weights of largest mean decay
 * ratio, the ones decay weighs on most, and merges the rest.
 */
export function dynamicsGroups(b: Breakdown, grouping: Grouping, depth: number, topK: number): DynamicsGroup[] {
  const keys = weightKeys(b);
  const length = b.steps.length;
  const columns = new Map(keys.map((k) => [k, weightColumns(b, k)]));
  const top = new Set(
    grouping === "topk"
      ? keys
          .map((k) => ({ k, size: rankingMean(columns.get(k)!.decay_ratio) }))
          .sort((a, c) => c.size - a.size || naturally(a.k, c.k))
          .slice(0, Math.max(0, topK))
          .map((e) => e.k)
      : [],
  );
  const paths = grouping === "block" ? blockPaths(keys) : new Map<string, string[]>();
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const g = groupKeyOf(k, grouping, paths.get(k), depth, top);
    const members = groups.get(g);
    if (members) members.push(k);
    else groups.set(g, [k]);
  }
  return [...groups.entries()]
    .sort(([a], [c]) => Number(a === OTHER) - Number(c === OTHER) || naturally(a, c))
    .map(([key, members]) => ({
      key,
      label: labelOf(key),
      members,
      values: combine(members.map((m) => columns.get(m)!), length),
    }));
}

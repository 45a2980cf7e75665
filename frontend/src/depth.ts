/**
 * Where a term sits in a network's hierarchy, read from its key alone: the path
 * of units from the top-level block down to the layer, so terms can be grouped
 * at any depth (1 = top-level blocks).
 *
 * A key's layer chain (`tower/block_1/proj`) gives one unit per nested layer.
 * Functional applications are flat, though: ResNet50's layers are all at the
 * top (`conv2_block1_1_conv`), MobileNetV2's too (`block_1_expand`). Their
 * hierarchy is in the names, as numbered prefixes, so a layer name is split
 * further at each numbered word followed by `_`:
 * `conv2_block1_1_conv` → `conv2`, `block1`, `1_conv`;
 * `block_1_expand_BN` → `block_1`, `expand_BN`; `block2b_se_reduce` → `block2b`,
 * `se_reduce`. A name without such a prefix (`predictions`, `dense_1`,
 * `my_dense_layer`) stays one unit, so ordinary names are never cut apart.
 * The `#N` of a repeated key stays with its layer (`d/kernel#2` is in `d`);
 * the model's own terms (bare keys) have an empty path.
 */
import { termLayer } from "./tags";

/**
 * A numbered word at the start of a name, then `_` and the rest: letters, an
 * optional `_`, digits and an optional lower-case letter (`conv2`, `block_1`,
 * `block2b`). The first word must start with a letter, so `1_conv` is a leaf.
 */
const NUMBERED_PREFIX = /^([A-Za-z][A-Za-z]*_?[0-9]+[a-z]?)_(.+)$/;

/** The units of one layer name: its numbered prefixes, then the rest. */
export function nameUnits(name: string): string[] {
  const units: string[] = [];
  let rest = name;
  for (let m = NUMBERED_PREFIX.exec(rest); m !== null; m = NUMBERED_PREFIX.exec(rest)) {
    units.push(m[1]);
    rest = m[2];
  }
  units.push(rest);
  return units;
}

/** The path of a term key (without its `penalty/` or `decoupled/` prefix) from the top block down to its layer. */
export function termPath(key: string): string[] {
  const chain = termLayer(key);
  return chain === "" ? [] : chain.split("/").flatMap(nameUnits);
}

/** The group of a term at `depth` (≥ 1): the first `depth` units of its path, joined by `/`; `""` for the model's own terms. */
export function depthGroup(key: string, depth: number): string {
  return termPath(key).slice(0, Math.max(1, depth)).join("/");
}

/** How many units the deepest term has: the depth past which grouping changes nothing. */
export function maxDepth(keys: Iterable<string>): number {
  let deepest = 0;
  for (const key of keys) deepest = Math.max(deepest, termPath(key).length);
  return deepest;
}

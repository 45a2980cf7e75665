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
 * Unnumbered names of one parent that differ only in their last `_` word and
 * share a stem of two words or more are one block too: MobileNetV2's first
 * block, `expanded_conv_depthwise` and `expanded_conv_project`, is
 * `expanded_conv` (so the network reads as its 17 blocks, stem, head and
 * classifier); `dense_1` and `dense_2` share a one-word stem and stay apart.
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

/** A name's stem of two words or more and its last word (`expanded_conv`, `project`), or null. */
function stemOf(unit: string): [string, string] | null {
  const cut = unit.lastIndexOf("_");
  const stem = unit.slice(0, cut);
  return cut > 0 && cut < unit.length - 1 && stem.includes("_") ? [stem, unit.slice(cut + 1)] : null;
}

/**
 * The path of each key from the top block down to its layer: `termPath`, with
 * names that share a stem with a sibling split into the stem and the rest.
 */
export function blockPaths(keys: readonly string[]): Map<string, string[]> {
  const paths = new Map(keys.map((k) => [k, termPath(k)]));
  // parent path + stem → how many distinct names of that parent have the stem
  const names = new Map<string, Set<string>>();
  const siblings = (path: string[]) => path.slice(0, -1).join("/") + "\u0000" + stemOf(path[path.length - 1])?.[0];
  for (const path of paths.values()) {
    const last = path[path.length - 1];
    if (last === undefined || stemOf(last) === null) continue;
    const id = siblings(path);
    const seen = names.get(id) ?? new Set<string>();
    seen.add(last);
    names.set(id, seen);
  }
  for (const [key, path] of paths) {
    const last = path[path.length - 1];
    const stem = last === undefined ? null : stemOf(last);
    if (stem !== null && names.get(siblings(path))!.size > 1) paths.set(key, [...path.slice(0, -1), ...stem]);
  }
  return paths;
}

/** The group of a path at `depth` (≥ 1): its first `depth` units joined by `/`; `""` for the model's own terms. */
export function groupAt(path: readonly string[], depth: number): string {
  return path.slice(0, Math.max(1, depth)).join("/");
}

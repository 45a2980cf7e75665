/**
 * The order runs are listed in (cards, legends, the focus picker, tables):
 * by name, with the numbers in names compared by value, exponents included,
 * so a sweep reads in the order of its values: `cnn_l2_1e-4`, `cnn_l2_1e-3`,
 * `cnn_l2_1e-2` (text order would put `1e-2` first), `wd_2` before `wd_10`.
 * Pure functions, no DOM.
 */

/** A number as sweeps write them in names: `3`, `0.001`, `1e-4`, `2.5E+3`. No sign: `-` is a separator in names. */
const NUMBER = /(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/;

const cache = new Map<string, (string | number)[]>();
/** Cache bound: a sort of 10,000 runs calls the comparison ~130,000 times on the same few names. */
const CACHE_LIMIT = 20000;

/** `name` split into text and number tokens, alternating, starting and ending with text (maybe empty). */
export function nameTokens(name: string): (string | number)[] {
  let tokens = cache.get(name);
  if (tokens === undefined) {
    tokens = name.split(NUMBER).map((t, i) => (i % 2 === 1 ? Number(t) : t));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, tokens);
  }
  return tokens;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Compares two run names: text parts by code point, number parts by value;
 * names equal by that (`1e-3` and `0.001`) fall back to their text.
 */
export function compareRunNames(a: string, b: string): number {
  if (a === b) return 0;
  const x = nameTokens(a);
  const y = nameTokens(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = i % 2 === 1 ? (x[i] as number) - (y[i] as number) : byText(x[i] as string, y[i] as string);
    if (c !== 0) return c;
  }
  return x.length - y.length || byText(a, b);
}

/** `items` sorted by `compareRunNames` of their run names (a new array). */
export function sortByRun<T>(items: readonly T[], nameOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareRunNames(nameOf(a), nameOf(b)));
}

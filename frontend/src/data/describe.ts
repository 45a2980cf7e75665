/**
 * Reads the fields the details table shows out of a series description, the
 * text tb_regloss writes next to each series (tb_regloss/attribution.py), e.g.
 * `L2(l2=0.01) on conv/kernel (shape 1×1×3×32, 96 parameters)`. Both sides are
 * tested against tests/fixtures/descriptions.json.
 */

export interface Described {
  /** The first `Name(args)` with arguments, e.g. `L2(l2=0.01)`; null without one. */
  regularizer: string | null;
  /** Its only argument's value (`0.01`), else all of its arguments; null without a regularizer. */
  factor: string | null;
  /** N of `(shape …, N parameters)`; null for terms that are not a weight's. */
  parameters: number | null;
}

// A name directly followed by "(": `add_loss()` (no arguments) and
// `(NoisePenalty)` (no name before it) are not regularizers.
const NAME_CALL = /[A-Za-z_][\w.]*\(/g;
const PARAMETERS = /\(shape [^()]*, (\d+) parameters\)/;

/** The first `Name(args)` with non-blank args, nested parentheses allowed; null if none. */
function firstCall(text: string): { call: string; args: string } | null {
  for (const m of text.matchAll(NAME_CALL)) {
    const open = m.index + m[0].length;
    let depth = 1;
    let i = open;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "(") depth++;
      else if (text[i] === ")") depth--;
    }
    if (depth > 0) return null; // Unbalanced: nothing after this closes either.
    const args = text.slice(open, i - 1);
    if (args.trim() !== "") return { call: text.slice(m.index, i), args };
  }
  return null;
}

/** Splits `a=1, b=(2, 3)` at its top-level commas. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(args.slice(start).trim());
  return out.filter((a) => a !== "");
}

export function parseDescription(text: string): Described {
  const call = firstCall(text);
  const params = PARAMETERS.exec(text);
  let factor: string | null = null;
  if (call) {
    const args = splitArgs(call.args);
    if (args.length === 1) {
      const eq = args[0].indexOf("=");
      factor = eq >= 0 ? args[0].slice(eq + 1).trim() : args[0];
    } else factor = args.join(", ");
  }
  return {
    regularizer: call ? call.call : null,
    factor,
    parameters: params ? Number(params[1]) : null,
  };
}

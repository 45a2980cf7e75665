"""The decay plan as `RegLossCallback` prints it at the start of ``fit``: one screen.

Rows group the weights by layer chain (the key without its variable name), as
``model.summary()`` lists layers, and count their parameters under coupled
decay (a regularizer), decoupled decay (the optimizer's ``weight_decay``) and
none; a weight under both counts in both columns. A model with more chains
than `MAX_ROWS` is grouped by shorter chains (``block_1`` for
``block_1/attn/query``), then the last rows are summed. The findings follow,
one line each: the code, its weights, what it means and the fix (`decay_plans.findings`).

Example:

>>> from tb_regloss.decay_plans import DecayPlanEntry
>>> print(render([DecayPlanEntry("d/kernel", 6, "L2(l2=0.001)"), DecayPlanEntry("d/bias", 2)], "mlp", "SGD"))
tb_regloss decay plan of mlp (SGD): 2 trainable weights, 8 parameters
Layer chain         Weights     Coupled   Decoupled    No decay
---------------------------------------------------------------
d                         2           6           0           2
---------------------------------------------------------------
Total                     2           6           0           2
No findings.
"""

from tb_regloss import decay_plans
from tb_regloss import tags

MAX_ROWS = 20
# Weights of a finding named in its line; the others are counted.
_KEYS_SHOWN = 3
_MODEL_ROW = "(model)"
_HEADERS = ("Layer chain", "Weights", "Coupled", "Decoupled", "No decay")


def render(entries, model_name, optimizer_name):
    """The plan of ``entries`` (what `decay_plans.decay_plan` returned) as printed text.

    Args:
        entries: the `decay_plans.DecayPlanEntry` of every trainable weight.
        model_name: the model's name, for the title.
        optimizer_name: the optimizer's class name, for the title.

    Returns:
        The lines, joined by newlines, without a final newline.
    """
    rows = _rows(entries)
    total = _counts(entries)
    width = max([len(_HEADERS[0])] + [len(name) for name, _ in rows]) + 4
    line = "-" * (width + 12 * 4)
    lines = [
        f"tb_regloss decay plan of {model_name} ({optimizer_name}): "
        f"{len(entries)} trainable weights, {sum(e.parameters for e in entries):,} parameters",
        _format(_HEADERS, width),
        line,
        *(_format((name, *(f"{n:,}" for n in counts)), width) for name, counts in rows),
        line,
        _format(("Total", *(f"{n:,}" for n in total)), width),
    ]
    found = decay_plans.findings(entries)
    if not found:
        lines.append("No findings.")
    else:
        lines.append(f"Findings ({len(found)}), explained in tb-regloss' docs/findings.md:")
        lines += [_finding_line(f) for f in found]
    return "\n".join(lines)


def _format(cells, width):
    return cells[0].ljust(width) + "".join(c.rjust(12) for c in cells[1:])


def _counts(entries):
    """``(weights, coupled, decoupled, no decay)``: parameters but the weight count."""
    return (
        len(entries),
        sum(e.parameters for e in entries if e.coupled is not None),
        sum(e.parameters for e in entries if e.decoupled is not None),
        sum(e.parameters for e in entries if e.coupled is None and e.decoupled is None),
    )


def _rows(entries):
    """``[(layer chain, counts)]`` in the order of first appearance, at most `MAX_ROWS` rows."""
    depth = max((len(_chain(e).split("/")) for e in entries), default=1)
    while True:
        groups = {}
        for entry in entries:
            chain = _chain(entry)
            name = "/".join(chain.split("/")[:depth]) if chain else _MODEL_ROW
            groups.setdefault(name, []).append(entry)
        if len(groups) <= MAX_ROWS or depth == 1:
            break
        depth -= 1
    rows = [(name, _counts(group)) for name, group in groups.items()]
    if len(rows) > MAX_ROWS:
        rest = [e for name in list(groups)[MAX_ROWS - 1:] for e in groups[name]]
        rows = rows[:MAX_ROWS - 1] + [(f"... {len(rows) - MAX_ROWS + 1} more", _counts(rest))]
    return rows


def _chain(entry):
    return tags.term_layer(entry.key)


def _finding_line(finding):
    keys = finding["keys"]
    shown = ", ".join(keys[:_KEYS_SHOWN]) + (f" (+{len(keys) - _KEYS_SHOWN} more)" if len(keys) > _KEYS_SHOWN else "")
    return f"  {finding['code']} ({shown}): {decay_plans.what(finding['code'])}. Fix: {finding['fix']}."

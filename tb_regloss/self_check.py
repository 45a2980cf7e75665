"""The runtime self-check: what `RegLossCallback` logs adds up to the loss Keras reports.

At the end of each training epoch and of each evaluation (the validation of
``fit`` included), the callback compares the data loss plus every penalty it
logged, as a mean over that epoch, with ``logs["loss"]`` of Keras' own train
or test step. Both are means of the same tensor (what ``compute_loss``
returned) weighted by batch size, so they differ only by rounding, unless
Keras composes or reports its loss in a way tb-regloss does not follow (a
Keras newer than the tested ones). A gap beyond `RTOL` warns once
(`UnverifiedLossWarning`) and marks the run with a `tb_regloss.tags.UNVERIFIED`
summary that the dashboard shows on the run's card.

A custom ``train_step``/``test_step`` reports its own ``loss`` (the keras.io
guide's is an unweighted mean over batches): it is not compared. Neither is a
non-finite loss, which says nothing about the composition.

Example:

>>> differ(1.0, 1.0004), differ(1.0, 1.01)
(False, True)
"""

import math

from tensorboard.compat.proto import summary_pb2

from tb_regloss import _keras
from tb_regloss import tags

# Keras' loss is a float32 ``Mean``: its running sum over an epoch of n
# batches rounds each addition, so its relative error is at most n·2⁻²⁴
# (6e-4 at 10,000 batches) and in practice near √n·2⁻²⁴, the roundings
# cancelling (measured: 4e-5 after 100,000 batches); tb-regloss sums in
# float64. 1e-3 holds for sure up to 16,000 batches an epoch and in practice
# far beyond. A way of composing the loss that tb-regloss does not follow (a
# penalty counted twice or left out, a scale) moves the mean much more,
# unless it concerns less than 0.1% of the loss.
RTOL = 1e-3
# tb-regloss' epoch means are differences of running sums kept over the whole
# life of the callback, in float64 or compensated float32 pairs (about 48
# bits): their absolute error is about 2⁻⁴⁸ times the running sum, at most
# epochs × the largest epoch loss. A loss that fell by many decades (a model
# fitting noise to 1e-12 after starting at 200) is then compared to this
# floor too: 1e-10 of the largest loss reported so far covers 28,000 epochs.
PEAK_ATOL = 1e-10


class UnverifiedLossWarning(UserWarning):
    """tb-regloss' data + penalties differ from the loss Keras reports: its numbers are not to be trusted."""


def reported_loss(logs):
    """Keras' ``logs["loss"]`` as a float, or ``None`` when there is none to compare with.

    >>> reported_loss({"loss": 0.25}), reported_loss({}), reported_loss(None)
    (0.25, None, None)
    """
    value = (logs or {}).get("loss")
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def keras_reports_the_loss(model, phase):
    """Whether ``logs["loss"]`` of ``phase`` (``"train"``, ``"test"``) comes from Keras' own step, not an override."""
    step = getattr(type(model), f"{phase}_step", None)
    return getattr(step, "__module__", "").startswith("keras.")


def data_plus_penalties(means):
    """The data loss plus every penalty of a `tb_regloss.accumulator.Means` (decoupled decay is no part of it)."""
    return means.data + sum(v for k, v in means.terms.items() if k.startswith(tags.PENALTY_PREFIX))


def relative_gap(ours, keras_loss):
    """``|ours - keras_loss|`` relative to the larger magnitude (0 when both are 0).

    >>> relative_gap(0.75, 0.5)
    0.3333333333333333
    """
    scale = max(abs(ours), abs(keras_loss))
    return abs(ours - keras_loss) / scale if scale else 0.0


def differ(ours, keras_loss, peak=0.0):
    """Whether two finite losses differ by more than `RTOL`, and by more than `PEAK_ATOL` of ``peak``.

    ``peak`` is the largest loss Keras reported so far in the phase; non-finite
    losses are not compared.

    >>> differ(4.684e-12, 4.700e-12), differ(4.684e-12, 4.700e-12, peak=208.1)
    (True, False)
    """
    if not (math.isfinite(ours) and math.isfinite(keras_loss)):
        return False
    return relative_gap(ours, keras_loss) > RTOL and abs(ours - keras_loss) > PEAK_ATOL * peak


def mark_metadata(ours, keras_loss, keras_version):
    """The ``SummaryMetadata`` of the `tb_regloss.tags.UNVERIFIED` mark: the dashboard plugin's, with both numbers."""
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=tags.PLUGIN_NAME, content=tags.unverified_content(ours, keras_loss, keras_version)),
        summary_description=(
            "tb-regloss' data + penalties differed from the loss Keras reported: this run's "
            "regloss numbers are unverified. The value is the relative gap."),
        data_class=summary_pb2.DATA_CLASS_TENSOR,
    )


def unverified_message(ours, keras_loss, keras_version, run_dir):
    """The warning of a gap: both numbers, the Keras version, what it means and what to do."""
    return (
        f"RegLossCallback: tb-regloss' data + penalties ({ours!r}) differ from the loss Keras "
        f"{keras_version} reports ({keras_loss!r}) by {relative_gap(ours, keras_loss):.2%}; they must be "
        f"equal to {RTOL:.1%}. This Keras composes or reports its loss in a way tb-regloss does not "
        f"follow, so the regloss numbers of {run_dir!r} are marked unverified (the dashboard says so "
        "on the run's card); training goes on. Use a Keras tb-regloss is tested with "
        f"(`pip install 'keras{_keras.version.TESTED}'`) to trust the split, and report the versions and this "
        "message to tb-regloss."
    )

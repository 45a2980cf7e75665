"""Reads the hyperparameters a run logged with TensorBoard's HParams plugin.

``tensorboard.plugins.hparams.api.hparams({...})`` writes one
``_hparams_/session_start_info`` summary into the run it is called in; its
plugin content is an ``HParamsPluginData`` protobuf with the values. This is
how TensorBoard's own hparams plugin finds them (``backend_context.
hparams_metadata`` lists the ``hparams`` plugin's tensors through the data
provider and parses that tag's content with ``metadata.
parse_session_start_info_plugin_data``); we read the same, through the same
public functions, so both plugins agree on what a run's hyperparameters are.

Values become plain JSON values: numbers, strings and booleans, as
``hp.hparams`` accepts them. A run whose content does not parse (another
version of the protobuf, a broken file) is left out with a warning: the
dashboard then shows the run without hyperparameters rather than failing.

Example:

>>> from tensorboard.plugins.hparams import plugin_data_pb2
>>> info = plugin_data_pb2.SessionStartInfo()
>>> info.hparams["weight_decay"].number_value = 0.001
>>> info.hparams["optimizer"].string_value = "adamw"
>>> content = plugin_data_pb2.HParamsPluginData(session_start_info=info).SerializeToString()
>>> hparams_of_content(content)
{'optimizer': 'adamw', 'weight_decay': 0.001}
"""

import logging

from tensorboard.plugins.hparams import error as hparams_error
from tensorboard.plugins.hparams import metadata as hparams_metadata

from tb_regloss.plugin import run_order

logger = logging.getLogger(__name__)

PLUGIN_NAME = hparams_metadata.PLUGIN_NAME
SESSION_START_INFO_TAG = hparams_metadata.SESSION_START_INFO_TAG


def _plain_value(value):
    """A ``google.protobuf.Value`` of ``hp.hparams`` as a JSON value, or ``None`` for another kind."""
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        return value.number_value
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    return None


def hparams_of_content(content):
    """``{name: value}`` from the plugin content of a session-start-info summary, sorted by name.

    Raises:
        hparams_error.HParamsError: the content holds no session start info
            or has another plugin data version.
        google.protobuf.message.DecodeError: the content is not the protobuf.
    """
    info = hparams_metadata.parse_session_start_info_plugin_data(content)
    values = {}
    for name in sorted(info.hparams):
        value = _plain_value(info.hparams[name])
        if value is not None:
            values[name] = value
    return values


def hparams_by_run(listing):
    """``{run: {name: value}}`` from a ``list_tensors`` answer for the ``hparams`` plugin, in run order.

    Runs without a session start info, or whose content cannot be parsed, are
    left out (the latter logged).
    """
    from google.protobuf import message

    result = {}
    for run in run_order.sort_runs(listing):
        series = listing[run].get(SESSION_START_INFO_TAG)
        if series is None:
            continue
        try:
            result[run] = hparams_of_content(series.plugin_content)
        except (hparams_error.HParamsError, message.DecodeError) as e:
            logger.warning("regloss plugin: run %r has hparams that cannot be read: %s", run, e)
    return result

"""TensorBoard's entry point into the dashboard: a light loader that never breaks TensorBoard.

``setup.py`` registers ``regloss = tb_regloss.plugin.loader:RegLossPluginLoader``
under ``tensorboard_plugins``. This module imports nothing heavy: the plugin
module is imported in ``load``, and if that fails the dashboard is disabled
with a warning while TensorBoard carries on.

Example:

>>> RegLossPluginLoader().load(base_plugin.TBContext()).plugin_name
'regloss'
"""

import importlib
import logging

from tensorboard.plugins import base_plugin

logger = logging.getLogger(__name__)

_PLUGIN_MODULE = "tb_regloss.plugin.regloss_plugin"


class RegLossPluginLoader(base_plugin.TBLoader):
    """Loads ``RegLossPlugin``, or returns ``None`` (plugin disabled) if it cannot be imported.

    Example:

    ```python
    from tensorboard.plugins import base_plugin
    plugin = RegLossPluginLoader().load(base_plugin.TBContext(data_provider=provider))
    ```
    """

    def load(self, context):
        try:
            module = importlib.import_module(_PLUGIN_MODULE)
        except Exception as e:  # An optional dashboard must not take TensorBoard down.
            logger.warning(
                "tb-regloss: the Loss composition dashboard is disabled because %s "
                "could not be imported (%s: %s). Reinstall tb-regloss to fix it.",
                _PLUGIN_MODULE,
                type(e).__name__,
                e,
            )
            return None
        return module.RegLossPlugin(context)

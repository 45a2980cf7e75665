"""The TensorBoard dashboard plugin: the loss composition as stacked area charts.

TensorBoard discovers it through the ``tensorboard_plugins`` entry point
(``regloss = tb_regloss.plugin.loader:RegLossPluginLoader``). The loader is
light and imports ``regloss_plugin`` (the routes) only when TensorBoard loads
it; ``breakdown`` aligns the series of one run for the frontend, whose bundle
ships in ``static/``.
"""

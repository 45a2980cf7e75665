"""Tests of tb_regloss.plugin.loader: discovery, lazy import, and failing safely."""

import importlib.metadata
import logging
import subprocess
import sys

from tensorboard.plugins import base_plugin

from tb_regloss.plugin import loader


def test_entry_point_names_the_loader():
    (entry_point,) = [
        ep for ep in importlib.metadata.entry_points(group="tensorboard_plugins") if ep.name == "regloss"
    ]
    assert entry_point.load() is loader.RegLossPluginLoader


def test_loads_the_plugin():
    plugin = loader.RegLossPluginLoader().load(base_plugin.TBContext())
    assert plugin.plugin_name == "regloss"
    assert isinstance(plugin, base_plugin.TBPlugin)


def test_broken_import_disables_the_plugin_with_a_warning(monkeypatch, caplog):
    # A None entry in sys.modules makes the import raise ImportError.
    monkeypatch.setitem(sys.modules, "tb_regloss.plugin.regloss_plugin", None)
    with caplog.at_level(logging.WARNING, logger=loader.__name__):
        assert loader.RegLossPluginLoader().load(base_plugin.TBContext()) is None
    assert "Loss composition dashboard is disabled" in caplog.text


def test_import_crashing_with_any_error_disables_the_plugin(monkeypatch):
    def crash(name):
        raise RuntimeError("broken optional dependency")

    monkeypatch.setattr(loader.importlib, "import_module", crash)
    assert loader.RegLossPluginLoader().load(base_plugin.TBContext()) is None


def test_importing_the_loader_is_light():
    code = (
        "import sys, tb_regloss.plugin.loader; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'numpy', 'werkzeug', "
        "'tb_regloss.plugin.regloss_plugin') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

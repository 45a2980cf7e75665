"""Every example in the package's docstrings runs, and shows what it says.

The modules are found by walking the package, so a module that gains an
example is checked without a line here.
"""

import doctest
import importlib
import pkgutil

import pytest

import tb_regloss


def _modules_with_examples():
    finder = doctest.DocTestFinder()
    names = []
    for info in pkgutil.walk_packages(tb_regloss.__path__, "tb_regloss."):
        module = importlib.import_module(info.name)
        if any(test.examples for test in finder.find(module)):
            names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_the_walk_finds_the_modules_with_examples():
    assert {"tb_regloss.tags", "tb_regloss.attribution", "tb_regloss._keras.optimizers",
            "tb_regloss.plugin.regloss_plugin"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))  # conftest: fails if no example ran
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (printed above)"

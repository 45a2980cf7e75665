"""The Python in the README, the guides and the public docstrings names only what the package has, as it takes it.

Each ```` ```python ```` block (of a page, or of the docstrings of a public name
and its methods, which the API reference shows) is parsed (a guide's fragment with ``...`` is still
Python). Every ``tb_regloss.<name>`` exists; every call of one, and of a method
on a name assigned from one earlier on the page (``terms_writer =
tb_regloss.RegLossWriter(...)``, then ``terms_writer.write(...)``, also as
``self.regloss_writer``), takes its keyword arguments and its number of
positional arguments.
"""

import ast
import inspect
import pathlib
import re
import textwrap

import pytest

import tb_regloss

pytestmark = pytest.mark.once(reason="reads the docs' text against the package's signatures: no Keras step")

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _python_blocks(text):
    return [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", text, re.S)]


def _pages():
    for page in PAGES:
        blocks = _python_blocks(page.read_text(encoding="utf-8"))
        if blocks:
            yield pytest.param(blocks, id=str(page.relative_to(ROOT)))
    for name in tb_regloss.__all__:
        public = getattr(tb_regloss, name)
        documented = [public]
        if inspect.isclass(public):  # and its public methods, as the API reference lists them
            documented += [method for _, method in inspect.getmembers(public, inspect.isfunction)
                           if not method.__name__.startswith("_")]
        blocks = [block for obj in documented for block in _python_blocks(obj.__doc__ or "")]
        if blocks:
            yield pytest.param(blocks, id=f"docstrings of tb_regloss.{name}")


PAGES_WITH_PYTHON = list(_pages())


def _package_object(node):
    """What ``tb_regloss.<name>`` names, for an ``ast.Attribute`` on the name ``tb_regloss``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "tb_regloss":
        assert hasattr(tb_regloss, node.attr), f"tb_regloss.{node.attr} does not exist"
        return getattr(tb_regloss, node.attr)
    return None


def _check_call(call, target, where):
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return
    signature = inspect.signature(target)
    try:
        signature.bind(*call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as error:
        raise AssertionError(f"{where}: {ast.unparse(call)} does not fit {signature}: {error}") from None


def _check(code, made=None):
    """Fails on a ``tb_regloss`` name that does not exist or a call that does not fit its signature.

    ``made``: what the blocks before this one on the page assigned (variable -> class of the
    package it was made from); this block's assignments are added to it.
    """
    made = {} if made is None else made
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            made_from = _package_object(node.value.func)
            if inspect.isclass(made_from):
                made.update({ast.unparse(t): made_from for t in node.targets})
    for node in ast.walk(tree):
        _package_object(node)
        if not isinstance(node, ast.Call):
            continue
        func, target = node.func, _package_object(node.func)
        if target is None and isinstance(func, ast.Attribute) and ast.unparse(func.value) in made:
            cls = made[ast.unparse(func.value)]
            assert hasattr(cls, func.attr), f"{cls.__name__} has no {func.attr}"
            target = getattr(cls, func.attr)
            # Taken from the class, the method's first argument is the instance.
            node = ast.Call(func=func, args=[ast.Constant(None), *node.args], keywords=node.keywords)
        if target is not None:
            _check_call(node, target, ast.unparse(func))


def test_the_readme_each_guide_and_the_public_docstrings_have_python_blocks():
    pages = {page.id for page in PAGES_WITH_PYTHON}
    assert {"README.md", "docs/custom-loops.md", "docs/custom-train-steps.md", "docs/distribution.md",
            "docs/weight-decay.md", "docstrings of tb_regloss.RegLossCallback",
            "docstrings of tb_regloss.RegLossWriter", "docstrings of tb_regloss.penalties"} <= pages


@pytest.mark.parametrize("blocks", PAGES_WITH_PYTHON)
def test_each_name_exists_and_each_call_fits_its_signature(blocks):
    made = {}
    for code in blocks:
        _check(code, made)


@pytest.mark.parametrize("code", [
    "tb_regloss.RegLossCalback('runs/exp1')",
    "model.fit(x, callbacks=[tb_regloss.RegLossCallback('runs/exp1', dynamic=True)])",
    "w = tb_regloss.RegLossWriter('runs/train')\nw.write(step, data=loss)",
    "w = tb_regloss.RegLossWriter('runs/train')\nw.flush_all()",
    "self.w = tb_regloss.RegLossWriter('runs/train')\nself.w.write(step, data=loss)",
    "tb_regloss.penalties(model, losses, 3)",
])
def test_a_name_or_call_the_package_does_not_have_fails(code):
    with pytest.raises(AssertionError):
        _check(code)

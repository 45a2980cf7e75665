"""The Keras boundary, guarded by where a private name is used (an AST scan), not by a list of names.

Outside the boundary, the package may not use:
- an attribute ``_name`` of an object the package does not define: a module's
  (``sys._getframe``), or one a class of the package inherits from Keras or
  TensorBoard (``self._model`` in a ``keras.callbacks.Callback``), also through
  ``getattr``/``setattr``/``hasattr`` with the name as a string;
- an import of ``keras.src``, or of ``tensorboard.compat`` other than its protos;
- ``from <dependency> import _name``.
"""

import ast
import pathlib

import pytest

import tb_regloss

PACKAGE = pathlib.Path(tb_regloss.__file__).parent
BOUNDARY = "_keras"  # the package tb_regloss._keras


def _private(name):
    return name.startswith("_") and not name.startswith("__")


class _Scan(ast.NodeVisitor):
    """The private uses of one module, given the names the package defines."""

    def __init__(self, defined, package_classes):
        self.defined = defined
        self.package_classes = package_classes
        self.classes = []  # (class node, inherits from outside the package, names it assigns)
        self.found = []

    def visit_ClassDef(self, node):
        inherits = any(not (isinstance(b, ast.Name) and b.id in self.package_classes) for b in node.bases)
        own = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)}
        own |= {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.classes.append((inherits, own))
        self.generic_visit(node)
        self.classes.pop()

    def _check(self, node, receiver, name):
        if not _private(name):
            return
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls") and self.classes:
            inherits, own = self.classes[-1]
            if inherits and name not in own:
                self.found.append((node.lineno, f"{receiver.id}.{name} (inherited)"))
        elif name not in self.defined:
            self.found.append((node.lineno, f".{name}"))

    def visit_Attribute(self, node):
        self._check(node, node.value, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node):
        if (isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)):
            self._check(node, node.args[0], node.args[1].value)
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            self._check_module(node, alias.name)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if node.level == 0:
            self._check_module(node, module)
            if not module.startswith("tb_regloss"):
                for alias in node.names:
                    if _private(alias.name):
                        self.found.append((node.lineno, f"from {module} import {alias.name}"))

    def _check_module(self, node, module):
        if module.startswith("keras.src") or (
                module.startswith("tensorboard.compat") and not module.startswith("tensorboard.compat.proto")):
            self.found.append((node.lineno, f"import {module}"))


def _defined_by(trees):
    """The names the package's own code defines: functions, classes, assignments, arguments."""
    defined, classes = set(), set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.add(node.name)
                defined.add(node.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defined.add(node.name)
                defined |= {a.arg for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                defined.add(node.attr)
            elif isinstance(node, ast.alias):
                defined.add((node.asname or node.name).split(".")[0])
    return defined, classes


def private_uses(sources):
    """``{module path: [(line, what)]}`` of private uses outside the boundary, for ``{path: source}``."""
    trees = {path: ast.parse(source) for path, source in sources.items()}
    defined, classes = _defined_by(trees.values())
    found = {}
    for path, tree in trees.items():
        if path.startswith(BOUNDARY + "/"):
            continue
        scan = _Scan(defined, classes)
        scan.visit(tree)
        if scan.found:
            found[path] = scan.found
    return found


def _package_sources():
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_private_name_of_a_dependency_outside_the_boundary():
    assert private_uses(_package_sources()) == {}


@pytest.mark.parametrize("planted", [
    "import sys\nframe = sys._getframe(1)\n",
    "import keras\nclass Probe(keras.callbacks.Callback):\n    def on_train_begin(self, logs=None):\n"
    "        return self._model\n",
    "def steps(model):\n    return getattr(model, '_compile_loss', None)\n",
    "from keras.src.trainers import trainer\n",
    "from tensorboard.compat.tensorflow_stub.io import gfile\n",
    "from keras.callbacks import _private\n",
])
def test_a_planted_private_use_outside_the_boundary_fails(planted):
    sources = _package_sources()
    assert len(private_uses({**sources, "planted.py": planted}).get("planted.py", [])) == 1
    inside = f"{BOUNDARY}/planted.py"
    assert inside not in private_uses({**sources, inside: planted})


def test_the_package_own_private_names_pass():
    sources = {"ours.py": ("class Writer:\n    def __init__(self):\n        self._pending = []\n"
                           "def flush(writer):\n    return writer._pending\n")}
    assert private_uses(sources) == {}

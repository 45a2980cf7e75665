"""Series keys (contract v2.1): where a weight or a layer sits in a model.

A weight's key is ``<layer chain>/<variable.name>``: the names of the layers
from the model (its own name excluded) down to the layer that created the
weight, following how Keras nests layers. A layer's activity and ``add_loss``
terms are keyed ``<layer chain>/activity`` and ``<layer chain>/add_loss``.
Keys depend only on layer names and variable names, never on Keras' paths or
its process-wide name counter, so they are the same across processes, across
models built one after another in one process, ``save``/``load_model`` and
``clone_model``:

- a term of the model itself has an empty chain: ``kernel``, ``activity``;
- v2.1: a nested layer or model with Keras' automatic name (made without
  ``name=``: ``<snake_case class name>``, then ``_<n>`` from Keras'
  process-wide counter, e.g. ``sequential_4``, ``dense_12``,
  ``gpt2_backbone_1``) is keyed by its order among its siblings with
  automatic names of the same base: the first ``dense``, the next
  ``dense_1``, ``dense_2``… (what a fresh process names the layers of a
  model built first). Any other name is kept exactly; a name of the
  automatic form is taken as automatic even when given explicitly;
- Keras' auto-generated variable names (``variable``, ``variable_18``) are
  keyed ``variable``, then ``variable#2``… in the layer's own weight order;
- a layer or weight reachable along several routes (shared layers, tied
  weights) takes the first route in Keras' weight order;
- keys that would repeat (same-named siblings) get ``#2``, ``#3``… in that
  order.

Sibling order is Keras' own (``Layer.weights`` order: a functional model's
layers, a subclassed model's attributes as assigned), the same for every
build of one model's code and after ``save``/``load_model``/``clone_model``.

Example:

```python
inputs = keras.Input((4,))
outputs = keras.Sequential([keras.layers.Dense(2, name="d")], name="inner")(inputs)
model = keras.Model(inputs, outputs)
ModelKeys(model).weight_key(model.weights[0])  # "inner/d/kernel"
model = keras.Model(inputs, keras.Sequential([keras.layers.Dense(2)])(inputs))
ModelKeys(model).weight_key(model.weights[0])  # "sequential/dense/kernel", however Keras numbered them
```
"""

import re

from tb_regloss import _keras
from tb_regloss import tags
_AUTO_VARIABLE_NAME = re.compile(r"^variable(_\d+)?$")


class ModelKeys:
    """The v2.1 keys of every weight and layer of one model, walked once."""

    def __init__(self, model):
        self._weight_keys = {}  # id(variable) -> key
        self._layer_chains = {}  # id(layer) -> chain ("" for the model)
        self._seen_weights = set()
        weight_names = []
        weights = []
        self._walk(model, (), weight_names, weights)
        for variable, key in zip(weights, unique_keys(weight_names)):
            self._weight_keys[id(variable)] = key
        self._chain_keys = {}
        chains = [(layer_id, chain) for layer_id, chain in self._layer_chains.items()]
        for kind in (tags.ACTIVITY, tags.ADD_LOSS):
            keys = unique_keys([_join(chain, kind) for _, chain in chains])
            for (layer_id, _), key in zip(chains, keys):
                self._chain_keys[(layer_id, kind)] = key

    def weight_key(self, variable):
        """The key of ``variable``; its ``path`` if it is not in the model."""
        return self._weight_keys.get(id(variable), variable.path)

    def layer_key(self, layer, kind):
        """The key of ``layer``'s ``"activity"`` or ``"add_loss"`` terms."""
        key = self._chain_keys.get((id(layer), kind))
        return key if key is not None else _join(layer.path or layer.name, kind)

    def layer_name(self, layer):
        """``layer``'s chain for messages: ``tower_a/proj``, or the model's name."""
        chain = self._layer_chains.get(id(layer))
        return chain if chain else layer.name

    def _walk(self, layer, chain, weight_names, weights):
        # The order of Keras' ``Layer.weights``: own variables, then each
        # sublayer's, depth first; a variable or layer seen before is skipped.
        self._layer_chains[id(layer)] = "/".join(chain)
        for variable in _keras.layers.own_weights(layer):
            if id(variable) in self._seen_weights:
                continue
            self._seen_weights.add(id(variable))
            name = "variable" if _AUTO_VARIABLE_NAME.match(variable.name) else variable.name
            weights.append(variable)
            weight_names.append(_join("/".join(chain), name))
        auto_named = {}  # base name -> how many siblings took it so far
        for child in _keras.layers.sublayers(layer):
            if id(child) not in self._layer_chains:
                name = _keyed_name(child, auto_named)
                self._walk(child, chain + (name,), weight_names, weights)


def unique_keys(keys):
    """Makes repeated keys unique by suffixing ``#2``, ``#3``… in order.

    >>> unique_keys(["d/kernel", "d/kernel", "e/kernel", "d/kernel"])
    ['d/kernel', 'd/kernel#2', 'e/kernel', 'd/kernel#3']
    """
    seen = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


def _keyed_name(layer, auto_named):
    """``layer``'s name in keys: an automatic name renumbered among its siblings.

    ``auto_named`` counts, per unnumbered base name, the automatically named
    siblings walked before ``layer``; the first is keyed ``dense``, the next
    ``dense_1``… An explicit name is returned as it is.
    """
    base = _keras.layers.auto_name_base(layer)
    if base is None:
        return layer.name
    taken = auto_named.get(base, 0)
    auto_named[base] = taken + 1
    return base if taken == 0 else f"{base}_{taken}"


def _join(chain, name):
    return f"{chain}/{name}" if chain else name

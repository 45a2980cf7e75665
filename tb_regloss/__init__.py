"""tb-regloss: see where your Keras loss comes from.

Keras reports one ``loss`` that silently includes every penalty in
``model.losses``. tb-regloss splits it, inside the compiled train and test
steps, into the data loss and one series per penalty term, and writes them as
TensorBoard scalars that its dashboard plugin draws as stacked areas.

Example:

```python
import tb_regloss

model.fit(x, y, validation_data=(xv, yv),
          callbacks=[tb_regloss.RegLossCallback("runs/exp1")])
```

Importing this package is cheap: Keras and TensorFlow are imported only when
one of the public names below is first used, so TensorBoard can load the
dashboard plugin without them.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "penalties": "tb_regloss.attribution",
    "RegLossCallback": "tb_regloss.callback",
    "RegLossWriter": "tb_regloss.writer",
    "add_weight_decay": "tb_regloss.weight_decay",
    "decay_plan": "tb_regloss.decay_plans",
    "DecayPlanEntry": "tb_regloss.decay_plans",
    "enable_multi_worker_fit": "tb_regloss.multi_worker_fit",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'tb_regloss' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)

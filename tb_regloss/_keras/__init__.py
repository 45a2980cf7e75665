"""The Keras boundary: the one place where tb-regloss touches private names.

Private names of Keras, KerasTuner, TensorBoard and CPython are used in this
package only, each use commented with what it relies on and the versions
checked; the rest of tb-regloss calls these functions, so when Keras changes,
this package changes (``tests/test_keras_boundary.py`` fails on a private
name anywhere else). By job:

- `version`: the installed Keras, the supported range, Keras 2 models;
- `layers`: the layer tree and the losses of a call;
- `trainer`: hooks in the compiled steps, the model's metrics, the callback's model;
- `optimizers`: which optimizer decays each variable, and its apply;
- `backends`: tensor operations of the traced step, per backend;
- `step_state`: state across steps, per backend (strategies, metrics' variables, host sends);
- `tuner`: KerasTuner's trial and execution;
- `tensorboard`: TensorBoard's file layer and scalar points.

Every module imports Keras (or TensorFlow, JAX, PyTorch) only inside its
functions, so importing the package costs nothing.
"""

from tb_regloss._keras import backends
from tb_regloss._keras import layers
from tb_regloss._keras import optimizers
from tb_regloss._keras import step_state
from tb_regloss._keras import tensorboard
from tb_regloss._keras import trainer
from tb_regloss._keras import tuner
from tb_regloss._keras import version

__all__ = ["backends", "layers", "optimizers", "step_state", "tensorboard", "trainer", "tuner", "version"]

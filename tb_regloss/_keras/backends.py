"""Tensor operations of the traced step, per backend (TensorFlow, JAX, PyTorch).

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""

import contextlib



def stack_scalars(values):
    """``ops.stack`` of scalar tensors of one step and dtype.

    On PyTorch, whose steps run the probe eagerly at every batch, with
    ``torch.stack``: Keras' ``stack`` converts each element first (about 7 µs each).
    """
    if backend_name() == "torch":
        import torch

        return torch.stack(list(values))
    from keras import ops

    return ops.stack(list(values))

def add_to_variable(variable, values):
    """``variable[:len(values)] += values`` in the running step; ``values`` float, cast to the variable's dtype.

    Called outside layer calls (no autocast). On PyTorch, whose steps run
    this eagerly at every batch, an in-place add to the variable's tensor, as
    Keras' own ``assign`` copies into it in place; ``assign_add`` converts
    and copies (about 20 µs).
    """
    if backend_name() == "torch":
        import torch

        with torch.no_grad():
            target = variable.value
            (target[: values.shape[0]] if len(values.shape) else target).add_(values)
        return
    from keras import ops

    padding = variable.shape[0] - values.shape[0] if len(values.shape) else 0
    if padding:
        values = ops.concatenate([values, ops.zeros((padding,), values.dtype)])
    variable.assign_add(ops.cast(values, variable.dtype))

def squared_norm(x):
    """``Σ x²`` as a float32 scalar, in one pass over ``x`` where the backend has one.

    On TensorFlow, ``l2_loss`` reads ``x`` once (and compiles with XLA);
    ``ops.sum(ops.square(x))`` would first write the squares (for a
    25 M-parameter model, 100 MB per sum).

    Example:

    >>> from keras import ops
    >>> float(squared_norm(ops.convert_to_tensor([3.0, 4.0])))
    25.0
    """
    from keras import ops

    x = ops.cast(x, "float32")
    if backend_name() == "tensorflow":
        import tensorflow as tf

        return 2.0 * tf.nn.l2_loss(x)
    return ops.sum(ops.square(x))

def summed_products(rows):
    """``[[Σ x·y for x, y in pairs] for pairs in rows]`` as a float32 matrix, a row per weight.

    The arrays of a row have one shape (a weight's), every row as many pairs;
    a pair ``(x, x)`` is a squared norm. On JAX each row is one reduction over
    its stacked products: XLA on the CPU runs every reduction as kernels of its
    own, and for small weights (LoRA factors) launching them costs more than
    the arithmetic. Elsewhere each sum is taken on its own, a squared norm by
    `squared_norm` (TensorFlow: one pass, the squares never written).

    Example:

    >>> from keras import ops
    >>> x = ops.convert_to_tensor([3.0, 4.0])
    >>> ops.convert_to_numpy(summed_products([[(x, x), (x, 2.0 * x)]])).tolist()
    [[25.0, 50.0]]
    """
    from keras import ops

    if backend_name() == "jax":
        return ops.stack([ops.sum(ops.stack([x * y for x, y in pairs]),
                                  axis=tuple(range(1, len(pairs[0][0].shape) + 1)))
                          for pairs in rows])
    columns = zip(*([squared_norm(x) if x is y else ops.sum(x * y) for x, y in pairs] for pairs in rows))
    return ops.stack([ops.stack(list(column)) for column in columns], axis=1)

def tensors_feeding(total, tensors):
    """``{id(t)}`` of the ``tensors`` that ``total`` is computed from.

    Read from the TensorFlow graph being traced. Eagerly, and on JAX and
    PyTorch, there is no graph to read: every tensor is taken to feed ``total``.
    """
    if not tensorflow_backend():
        return {id(t) for t in tensors}
    import tensorflow as tf

    if tf.executing_eagerly() or not hasattr(total, "op"):
        return {id(t) for t in tensors}
    wanted = {}
    for t in tensors:
        wanted.setdefault(getattr(t, "name", None), []).append(id(t))
    found = set()
    seen = set()
    stack = [total.op]
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        for tensor in op.inputs:
            found.update(wanted.get(tensor.name, ()))
            stack.append(tensor.op)
    found.update(wanted.get(total.name, ()))
    return found

def left_by_a_traced_step(tensors):
    """Whether, running eagerly, some of ``tensors`` belong to the graph of a traced step.

    TensorFlow keeps the graph tensors of a ``tf.function``'s last trace in
    ``layer.losses``; a JAX trace leaves tracers there only inside its own
    step, and PyTorch runs eagerly.
    """
    if not tensorflow_backend():
        return False
    import tensorflow as tf

    return tf.executing_eagerly() and any(tf.is_tensor(t) and not hasattr(t, "numpy") for t in tensors)

def tensorflow_backend():
    """Whether Keras runs on TensorFlow, whose steps are ``tf.function`` graphs that write summaries.

    On JAX and PyTorch a custom loop writes from the host the values its step returned.
    """
    return backend_name() == "tensorflow"

def host_float(value):
    """``value`` (a scalar of any backend, or a number) as a Python float; ``TypeError`` inside a compiled step.

    Example:

    >>> from keras import ops
    >>> host_float(ops.convert_to_tensor(0.5))
    0.5
    """
    import numpy as np

    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception as error:  # noqa: BLE001 - a JAX tracer, a torch tensor needing grad, …
        if hasattr(value, "detach"):  # torch: the value without its graph
            return host_float(value.detach().cpu())
        raise TypeError(f"not a value on the host ({type(error).__name__})") from None
    if array.size != 1:
        raise ValueError(f"shape {array.shape}")
    return float(array.reshape(()))

def gradient_of(function, value):
    """``∇ function(value)`` (a scalar function), traced in the step; zeros where it is constant.

    Example:

    >>> from keras import ops
    >>> [float(g) for g in gradient_of(lambda w: ops.sum(w * w), ops.convert_to_tensor([1.0, 2.0]))]
    [2.0, 4.0]
    """
    from keras import ops

    backend = backend_name()
    if backend == "jax":
        import jax

        return jax.grad(lambda v: ops.convert_to_tensor(function(v), "float32"))(value)
    if backend == "torch":
        import torch

        with torch.enable_grad():
            leaf = value.detach().requires_grad_(True)
            result = function(leaf)
            if not result.requires_grad:
                return torch.zeros_like(value)
            (gradient,) = torch.autograd.grad(result, leaf)
        return gradient
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(value)
        result = function(value)
    gradient = tape.gradient(result, value)
    return tf.zeros_like(value) if gradient is None else gradient

def summed_over_replicas(tensors):
    """``tensors`` summed over the replicas of a ``tf.distribute`` step, as the optimizer sums gradients.

    Unchanged on one device or outside a replica context.
    """
    if not tensorflow_backend():
        return tensors  # JAX's DataParallel steps see the gradient of the global batch
    import tensorflow as tf

    replica = tf.distribute.get_replica_context()
    if replica is None or replica.num_replicas_in_sync == 1:
        return tensors
    return replica.all_reduce(tf.distribute.ReduceOp.SUM, tensors)

def outside_the_step():
    """A context that reads variables' current values, or creates variables, while a step is traced.

    TensorFlow: ``tf.init_scope``; JAX: ``jax.ensure_compile_time_eval`` (a
    variable's initial value is then concrete, not a tracer); PyTorch runs
    steps eagerly.
    """
    if tensorflow_backend():
        import tensorflow as tf

        return tf.init_scope()
    if backend_name() == "jax":
        import jax

        return jax.ensure_compile_time_eval()
    return contextlib.nullcontext()

def once_for_all_replicas(function):
    """Calls ``function()`` once, also from a replica of a ``tf.distribute`` step being traced.

    Under ``MirroredStrategy`` each replica traces the step in its own thread:
    ``merge_call`` runs ``function`` once, for all of them.
    """
    if tensorflow_backend():
        import tensorflow as tf

        replica = tf.distribute.get_replica_context()
        if replica is not None and replica.num_replicas_in_sync > 1:
            replica.merge_call(lambda _: function())
            return
    function()

def host_value_of_variable(variable):
    """``variable``'s value as a NumPy array of its own (see `step_state.HostState` for variables of a JAX step).

    On TensorFlow the value is read into a tensor first: in a
    ``tf.distribute`` strategy's scope (``fit`` called inside ``with
    strategy.scope():``) NumPy cannot convert a ``MirroredVariable`` itself,
    its ``__array__`` returning no array (TensorFlow 2.21, NumPy 2).
    """
    import numpy as np
    from keras import ops

    value = variable.value
    if tensorflow_backend():
        import tensorflow as tf

        value = tf.convert_to_tensor(value)
    return np.array(ops.convert_to_numpy(value))

def backend_name():
    """The name of Keras' backend: ``tensorflow``, ``jax``, ``torch`` or ``numpy``."""
    import keras

    return keras.backend.backend()

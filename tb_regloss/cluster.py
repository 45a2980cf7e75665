"""Which process of a ``tf.distribute`` cluster writes the event files."""


def is_chief(strategy):
    """Whether this process writes: always, unless it is a non-chief worker of a cluster.

    The chief is the ``chief`` task when the cluster has one, else worker 0:
    the process that ``tf.distribute`` and Keras make write checkpoints.

    Example:

    ```python
    is_chief(tf.distribute.get_strategy())   # True outside a cluster
    ```
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type or resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief

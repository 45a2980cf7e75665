"""Writes one loss decomposition as standard TensorBoard scalars.

The only module that writes summaries: `RegLossCallback` uses it for ``fit`` and
users call it from custom training loops. Values are written as rank-0 float32
``tf.summary.scalar`` summaries (plugin ``scalars``), so they show in
TensorBoard's Scalars dashboard and in tools such as tbparse as well as in the
tb-regloss dashboard.
"""

from tb_regloss import tags


class RegLossWriter:
    """Writes the loss decomposition of a custom training loop to TensorBoard.

    Tags: ``regloss/total``, ``regloss/data`` and ``regloss/penalty/<key>`` for
    each key of ``penalties``, written directly into ``log_dir``. The file
    writer is created on first use.

    Args:
        log_dir: directory of the event files (local path or any
            ``tf.io.gfile`` URL). One directory is one TensorBoard run.

    Example:

    ```python
    writer = tb_regloss.RegLossWriter("runs/custom/train")

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            data_loss = loss_fn(y, model(x, training=True))
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.add_n(list(terms.values()))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)

    with writer:
        for x, y in dataset:
            train_step(x, y)
    ```
    """

    def __init__(self, log_dir):
        import os

        self.log_dir = os.fspath(log_dir)
        self._writer = None
        self._described = set()

    def write(self, step, *, data_loss, penalties, total_loss=None, descriptions=None):
        """Writes one point of every series at ``step``.

        Works eagerly and inside ``tf.function``.

        Args:
            step: the global training step (int or integer tensor).
            data_loss: scalar data loss.
            penalties: dict from key (e.g. ``conv/kernel``) to scalar penalty,
                as returned by `tb_regloss.penalties`.
            total_loss: scalar loss as optimized; defaults to
                ``data_loss + sum(penalties)``.
            descriptions: optional dict from key to a description naming the
                regularizer; written with the series' first point.
        """
        import tensorflow as tf

        if not isinstance(penalties, dict):
            raise TypeError(
                "RegLossWriter.write expects `penalties` to be a dict from key "
                "to scalar, such as tb_regloss.penalties(model). "
                f"Received: penalties={penalties!r}"
            )
        data_loss = _scalar(data_loss, "data_loss")
        values = {k: _scalar(v, f"penalties[{k!r}]") for k, v in penalties.items()}
        if total_loss is None:
            total_loss = tf.add_n([data_loss, *values.values()])
        total_loss = _scalar(total_loss, "total_loss")
        descriptions = tags.tag_descriptions(descriptions or {})
        step = tf.cast(step, tf.int64)
        with self._file_writer().as_default():
            for tag, value in tags.point_values(total_loss, data_loss, values).items():
                tf.summary.scalar(tag, value, step=step,
                                  description=self._describe(tag, descriptions.get(tag)))

    def flush(self):
        """Flushes written events to disk."""
        if self._writer is not None:
            self._writer.flush()

    def close(self):
        """Flushes and closes the event file; a later `write` opens a new one."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._described.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _file_writer(self):
        if self._writer is None:
            import tensorflow as tf

            # May run while a tf.function is traced: create it eagerly.
            with tf.init_scope():
                self._writer = tf.summary.create_file_writer(self.log_dir)
        return self._writer

    def _describe(self, tag, description):
        """The description to attach: only with a tag's first point."""
        if tag in self._described or not description:
            return None
        self._described.add(tag)
        return description


def _scalar(value, name):
    """Converts ``value`` to a rank-0 float32 tensor or says what is wrong."""
    import tensorflow as tf

    tensor = tf.cast(value, tf.float32)
    if tensor.shape.rank is not None and tensor.shape.rank != 0:
        raise ValueError(
            f"RegLossWriter.write expects `{name}` to be a scalar; reduce it "
            f"first (e.g. with tf.reduce_mean). Received: {name} with shape {tensor.shape}"
        )
    return tensor

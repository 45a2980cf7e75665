"""TensorBoard's internals: its TensorFlow-free file layer and the slots of its scalar points.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""


def tensorboard_gfile():
    """TensorBoard's TensorFlow-free file layer (``gfile``: local paths and URLs).

    Relies on ``tensorboard.compat.tensorflow_stub.io.gfile``, the module
    TensorBoard's own readers use without TensorFlow (TensorBoard 2.x,
    checked 2.20 and 2.21).
    """
    from tensorboard.compat.tensorflow_stub.io import gfile

    return gfile

# TensorBoard's ``provider.ScalarDatum`` (2.x, checked 2.20 and 2.21) keeps its
# fields in slots named "_<field>" behind read-only properties; reading the
# slots skips one Python call per point, about half the cost of aligning a
# large run. Other point types are read through their public fields.
_SCALAR_FIELDS = ("step", "wall_time", "value")

_SCALAR_FIELDS = ("step", "wall_time", "value")
_SCALAR_SLOT_NAMES = tuple("_" + field for field in _SCALAR_FIELDS)

def scalar_point_getters(points):
    """The fastest ``(step, wall_time, value)`` getters for a list of points of one type.

    Example:

    >>> import collections
    >>> Point = collections.namedtuple("Point", "step wall_time value")
    >>> [get(Point(1, 2.0, 0.5)) for get in scalar_point_getters([Point(1, 2.0, 0.5)])]
    [1, 2.0, 0.5]
    """
    import operator

    if points and set(_SCALAR_SLOT_NAMES).issubset(getattr(type(points[0]), "__slots__", ())):
        return tuple(map(operator.attrgetter, _SCALAR_SLOT_NAMES))
    return tuple(map(operator.attrgetter, _SCALAR_FIELDS))

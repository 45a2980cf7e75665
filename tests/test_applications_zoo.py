"""add_weight_decay + penalties on one small model of each keras.applications family.

The checks are those of ``bench/applications_zoo.py`` (keys of the regularized
weights, nothing unattributed, values against NumPy and ``model.losses``, the
same keys, factors and values after ``save``/``load_model``), which runs them
on every constructor.
"""

import keras
import pytest

from bench import applications_zoo

pytestmark = pytest.mark.spread(reason="one model per test, built and dropped by the test itself")

# The smallest constructor of each family (the keras.applications module defining it).
ONE_PER_FAMILY = (
    "ConvNeXtTiny",
    "DenseNet121",
    "EfficientNetB0",
    "EfficientNetV2B0",
    "InceptionResNetV2",
    "InceptionV3",
    "MobileNet",
    "MobileNetV2",
    "MobileNetV3Small",
    "NASNetMobile",
    "ResNet50",
    "ResNet50V2",
    "VGG16",
    "VGG19",
    "Xception",
)


def test_one_model_per_family_covers_every_family():
    constructors = applications_zoo.constructors()
    assert {applications_zoo.family(f) for f in constructors.values()} == \
        {applications_zoo.family(constructors[name]) for name in ONE_PER_FAMILY}


# Every family in the first pass of tests/run.sh (pinned Keras, TensorFlow);
# three families in the others (JAX, PyTorch, the lowest Keras): between
# backends and Keras versions what differs is how the penalties are computed
# and the variables saved, which these show on every kind of layer the zoo has
# (separable and depthwise convolutions, batch and layer normalization, a
# custom layer's own weight: ConvNeXt's LayerScale). The other families differ
# from these in structure, which the first pass checks.
ON_EVERY_BACKEND = ("ConvNeXtTiny", "ResNet50V2", "Xception")
FIRST_PASS_ONLY = pytest.mark.once(
    reason="one family per structure in the first pass; ON_EVERY_BACKEND in every pass")


@pytest.mark.parametrize("name", [n if n in ON_EVERY_BACKEND else pytest.param(n, marks=FIRST_PASS_ONLY)
                                  for n in ONE_PER_FAMILY])
def test_weight_decay_keys_values_and_persistence(name, tmp_path):
    model = applications_zoo.build(name)
    try:
        terms, problems = applications_zoo.check(model, str(tmp_path))
    finally:
        del model
        keras.backend.clear_session()
    assert problems == []
    assert terms > 0

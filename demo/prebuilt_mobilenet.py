"""Fine-tuning-style run of a prebuilt model: MobileNetV2 with decay added after the fact.

``keras.applications.MobileNetV2(weights=None)`` on 32×32 generated gratings,
with ``tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)``: L2 on every
convolution and dense kernel, none on the depthwise filters, as the MobileNet
paper advises. The dashboard shows one band per decayed kernel (group them
by layer or keep the top K).

Keras builds MobileNetV2's BatchNormalization layers with ``momentum=0.999``:
their moving statistics average over about a thousand steps, made for
ImageNet-length training. This run has 64 steps, so validation (which
normalizes with the moving statistics) would use values still near their
initial 0 and 1 while the weights have moved on, and the validation loss would
climb while the training loss falls. ``BN_MOMENTUM`` makes them follow the last
few batches instead, and the validation loss falls with the training loss.
"""

import keras

from demo import synthetic_cnn

BN_MOMENTUM = 0.7
LEARNING_RATE, BATCH_SIZE = 0.02, 64


def build_model():
    """MobileNetV2 for 32×32 gratings, its BatchNormalization momentum set for a short run."""
    model = keras.applications.MobileNetV2(
        input_shape=(32, 32, 3), weights=None, classes=synthetic_cnn.NUM_CLASSES,
        classifier_activation=None)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = BN_MOMENTUM  # read at each call: set before the first trace
    return model


def run(log_dir, epochs=4, n_train=1024, verbose=2, callbacks=()):
    """Trains MobileNetV2 and returns its Keras ``History``."""
    import tb_regloss

    x, y = synthetic_cnn.make_images(n_train, seed=0, size=32, channels=3)
    x_val, y_val = synthetic_cnn.make_images(256, seed=1, size=32, channels=3)
    keras.utils.set_random_seed(0)  # the same initial weights, hence the same curves, every time
    model = build_model()
    tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)
    model.compile(
        keras.optimizers.SGD(LEARNING_RATE, momentum=0.9),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model.fit(
        x, y, batch_size=BATCH_SIZE, epochs=epochs, validation_data=(x_val, y_val), verbose=verbose,
        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq=2, dynamics=True), *callbacks],
    )

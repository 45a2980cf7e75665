"""Fine-tuning-style run of a prebuilt model: MobileNetV2 with decay added after the fact.

``keras.applications.MobileNetV2(weights=None)`` on 32×32 generated gratings,
with ``tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)``: L2 on every
convolution and dense kernel, none on the depthwise filters, as the MobileNet
paper advises. The dashboard shows one band per decayed kernel (group them
by layer or keep the top K).
"""

import keras

from demo import synthetic_cnn


def run(log_dir, epochs=3, n_train=1024, verbose=2, callbacks=()):
    """Trains MobileNetV2 and returns its Keras ``History``."""
    import tb_regloss

    x, y = synthetic_cnn.make_images(n_train, seed=0, size=32, channels=3)
    x_val, y_val = synthetic_cnn.make_images(256, seed=1, size=32, channels=3)
    model = keras.applications.MobileNetV2(
        input_shape=(32, 32, 3), weights=None, classes=synthetic_cnn.NUM_CLASSES,
        classifier_activation=None)
    decayed = tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)
    print(f"add_weight_decay: L2 4e-5 on {len(decayed)} kernels, none on depthwise filters")
    model.compile(
        keras.optimizers.SGD(0.05, momentum=0.9),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model.fit(
        x, y, batch_size=64, epochs=epochs, validation_data=(x_val, y_val), verbose=verbose,
        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq=2), *callbacks],
    )

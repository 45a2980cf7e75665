"""Packaging for tb-regloss: the logging backend and the TensorBoard dashboard plugin.

The dashboard's JavaScript bundle (tb_regloss/plugin/static/index.js) is built
from frontend/ and committed, so installing the package needs no Node.js.
"""

import setuptools

setuptools.setup(
    name="tb-regloss",
    version="0.1.0",
    description="See where your Keras loss comes from: data loss and every penalty, in TensorBoard.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["tb_regloss", "tb_regloss.*"]),
    package_data={"tb_regloss.plugin": ["static/*"]},
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.10,<3.16",  # tb_regloss/keras_internals.py: SUPPORTED
        "tensorboard>=2.16",
        "numpy",
        "protobuf",
    ],
    entry_points={
        "tensorboard_plugins": [
            "regloss = tb_regloss.plugin.loader:RegLossPluginLoader",
        ],
    },
    license="Apache-2.0",
)

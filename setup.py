"""Packaging for tb-regloss: the logging backend and the TensorBoard dashboard plugin.

The dashboard's JavaScript bundle (tb_regloss/plugin/static/index.js) is built
from frontend/ and committed, so installing the package needs no Node.js.
"""

import pathlib
import re

import setuptools

HERE = pathlib.Path(__file__).parent
# The one version string is tb_regloss.__version__ (read, not imported: importing needs no Keras, but setup needs nothing).
VERSION = re.search(r'^__version__ = "([^"]+)"$', (HERE / "tb_regloss" / "__init__.py").read_text(encoding="utf-8"), re.M)[1]

setuptools.setup(
    name="tb-regloss",
    version=VERSION,
    description="See where your Keras loss comes from: data loss and every penalty, in TensorBoard.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=setuptools.find_packages(include=["tb_regloss", "tb_regloss.*"]),
    package_data={"tb_regloss.plugin": ["static/*"]},
    # No backend: event files are written without TensorFlow; pick one as an extra.
    # Each lower bound is a version a CI pass installs (requirements-*.txt; tests/test_packaging.py).
    install_requires=[
        "keras>=3.10",  # tb_regloss/_keras/version.py: SUPPORTED, no upper bound (checked at runtime)
        "tensorboard>=2.20",
        "google-crc32c>=1.9",  # event files' checksums, in C
        "numpy",
        "protobuf",
    ],
    extras_require={
        # Each backend runs RegLossCallback and RegLossWriter; TensorFlow also the demo.
        "tensorflow": ["tensorflow>=2.20"],
        "jax": ["jax>=0.10.2"],
        "torch": ["torch>=2.13"],
    },
    entry_points={
        "tensorboard_plugins": [
            "regloss = tb_regloss.plugin.loader:RegLossPluginLoader",
        ],
    },
    license="Apache-2.0",
    license_files=["LICENSE"],
)

"""The wheel as the package index would get it: one version, the license, the dashboard bundle."""

import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import tb_regloss

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.once(reason="the wheel is the same on every backend; built with the pip of the main venv")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # Built from a copy of what setup.py reads, so the checkout gets no build/ or egg-info.
    tmp_path = tmp_path_factory.mktemp("wheel")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "tb_regloss", source / "tb_regloss", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        check=True,
        cwd=tmp_path,
    )
    (built,) = tmp_path.glob("tb_regloss-*.whl")
    return built


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as z:
        (metadata,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        return z.read(metadata).decode()


def test_the_wheel_carries_the_license_the_bundle_and_the_one_version(wheel):
    assert wheel.name.startswith(f"tb_regloss-{tb_regloss.__version__}-")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        # dist-info/LICENSE, or dist-info/licenses/LICENSE with newer setuptools
        (license_file,) = [n for n in names if ".dist-info/" in n and n.endswith("/LICENSE")]
        assert "Apache License" in z.read(license_file).decode()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = z.read(metadata).decode()
    assert f"\nVersion: {tb_regloss.__version__}\n" in text
    # TensorFlow, JAX and PyTorch are extras: installing the package pulls none of them.
    required = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]
    plain = sorted(r.split(";")[0].split(">")[0].split("=")[0].split("<")[0] for r in required if "extra ==" not in r)
    assert plain == ["google-crc32c", "keras", "numpy", "protobuf", "tensorboard"]
    assert {r.split("extra ==")[1].strip(" \"'") for r in required if "extra ==" in r} == {"tensorflow", "jax", "torch"}
    assert "tb_regloss/plugin/static/index.js" in names
    # The README is the long description the index shows.
    assert "see where your Keras loss comes from" in text


def _pins(requirements):
    """``{package: version}`` of the ``name==version`` lines of a requirements file."""
    pins = {}
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?==([^\s#]+)\s*(#.*)?", line.strip())
        if match:
            pins[match[1].lower()] = match[3]
    return pins


def test_every_lower_bound_is_a_version_some_ci_pass_installs(wheel):
    text = _metadata(wheel)
    installed = [_pins("requirements-dev.txt"), _pins("requirements-keras-min.txt")]
    bounds = re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+)[^;\n]*>=([0-9][^,;\s]*)", text, re.M)
    assert {name for name, _ in bounds} >= {"keras", "tensorboard", "tensorflow", "jax", "torch"}
    untested = [(name, bound) for name, bound in bounds
                if not any(pins.get(name.lower()) == bound or pins.get(name.lower(), "").startswith(bound + ".")
                           for pins in installed)]
    assert untested == []
    # CI's venvs are made with python3.11 (tests/run.sh).
    (python,) = re.findall(r"^Requires-Python: >=(\S+)$", text, re.M)
    assert 'PYTHON="${PYTHON:-python' + python + '}"' in (ROOT / "tests" / "run.sh").read_text(encoding="utf-8")

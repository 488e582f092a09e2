"""A non-editable install (a built wheel) ships every package and data file of the checkout.

The expected file list is derived from the checkout itself (every tracked file under the folders
that map into the package), so a new family folder that the build forgets fails here — the fault
that once left ``cultureval.tasks.binary_settings`` out of the wheel while its YAMLs shipped."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# repository folder -> its place in the installed package (setup.py's PACKAGE_DIR)
MAPPED = {
    "cultureval": "cultureval",
    "tasks": "cultureval/tasks",
    "metrics": "cultureval/metrics",
    "scorers": "cultureval/scorers",
    "configs": "cultureval/configs",
}


def _tracked_files() -> list[str]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked file list is unknown")
    return listed.split()


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    folder = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(folder)]
    subprocess.run([*command, str(ROOT)], check=True, capture_output=True)
    [wheel] = folder.glob("cultureval-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist()) | {"entry_points:" + _entry_points(archive)}


def _entry_points(archive: zipfile.ZipFile) -> str:
    name = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
    return archive.read(name).decode()


def test_every_tracked_package_file_is_in_the_wheel(wheel_names):
    expected = []
    for path in _tracked_files():
        top, _, rest = path.partition("/")
        if top in MAPPED and rest:
            expected.append(f"{MAPPED[top]}/{rest}")
    assert len(expected) > 100  # the checkout was read
    missing = sorted(name for name in expected if name not in wheel_names)
    assert not missing, f"tracked files missing from the wheel: {missing}"


def test_every_family_folder_is_a_package_of_the_wheel(wheel_names):
    families = sorted(p.parent.name for p in (ROOT / "tasks").glob("*/__init__.py"))
    assert len(families) >= 5
    for name in families:
        modules = [n for n in wheel_names if n.startswith(f"cultureval/tasks/{name}/") and n.endswith(".py")]
        yamls = [n for n in wheel_names if n.startswith(f"cultureval/tasks/{name}/") and n.endswith(".yaml")]
        assert f"cultureval/tasks/{name}/__init__.py" in wheel_names, name
        assert len(modules) >= 3 and yamls, (name, modules, yamls)


def test_wheel_holds_no_tests_and_declares_the_entry_points(wheel_names):
    assert not any(name.startswith("tests/") or "/tests/" in name for name in wheel_names)
    [entry_points] = [n for n in wheel_names if n.startswith("entry_points:")]
    assert "[inspect_ai]" in entry_points and "cultureval = cultureval._registry" in entry_points
    assert "[console_scripts]" in entry_points and "cultureval = cultureval.cli:main" in entry_points

"""Package layout: the repository's top-level folders become subpackages of ``cultureval``
(``tasks/`` -> ``cultureval.tasks``, ...). setuptools' ``packages.find`` cannot map folders into
another package's namespace, so the packages are discovered here, under each mapped folder, with
``find_namespace_packages`` — a new family folder (``tasks/<family>/__init__.py``) ships without anyone
typing its name. Everything else about the distribution is in ``pyproject.toml``."""

from setuptools import find_namespace_packages, setup

# import name -> folder in the repository
PACKAGE_DIR = {
    "cultureval": "cultureval",
    "cultureval.tasks": "tasks",
    "cultureval.metrics": "metrics",
    "cultureval.scorers": "scorers",
    "cultureval.configs": "configs",
}


def discovered_packages() -> list[str]:
    """Every mapped package and every folder below it: code packages (``__init__.py``) and the
    data-only folders (``configs/lm_eval``, ``tasks/<family>/data``) whose files ship as package
    data."""
    packages = []
    for name, folder in PACKAGE_DIR.items():
        packages.append(name)
        packages += [f"{name}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"])]
    return packages


setup(package_dir=PACKAGE_DIR, packages=discovered_packages())

"""Pack overhead: ``import cultureval``, ``import cultureval.cli`` and the command's cheap
subcommands load no scikit-learn, torch or evaluation harness (issue 25, "Habits"; issue 30,
"Pack overhead"). ``cultureval tasks-dir`` runs inside ``lm_eval --include_path "$(cultureval
tasks-dir)"``: every millisecond of it is paid on every lm-eval run.

Read from ``python -X importtime`` in a fresh interpreter, which lists every module imported."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

HEAVY = ("sklearn", "torch", "lm_eval", "inspect_ai", "transformers", "datasets", "scipy", "pandas")


def imported_modules(*args: str) -> set[str]:
    """Top-level names of every module a fresh ``python -X importtime ARGS`` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=120, check=True
    )
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            if module != "imported package":  # the header line
                names.add(module.split(".")[0])
    assert "cultureval" in names, result.stderr[-2000:]  # the parse saw the imports
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "import cultureval"),
        ("-c", "import cultureval.cli"),
        ("-c", "import cultureval.metrics"),
        ("-m", "cultureval.cli", "tasks-dir"),
        ("-m", "cultureval.cli", "configs-dir"),
        ("-m", "cultureval.cli", "--help"),
    ],
)
def test_startup_imports_no_heavy_package(args):
    heavy = sorted(set(HEAVY) & imported_modules(*args))
    assert not heavy, f"python {' '.join(args)} imports {heavy}"


def test_the_lazy_public_names_still_work():
    """The names resolve on first use and compute what they say: two disjoint one-hot
    distributions are at the maximum JS distance (1 in base 2); a partial overlap is checked
    against the definition written out; macro-F1 of a hand-counted case."""
    import cultureval
    import cultureval.metrics as metrics

    assert cultureval.js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    p, q = [0.5, 0.5], [1.0, 0.0]
    m = [0.75, 0.25]
    kl = lambda a, b: sum(x * math.log2(x / y) for x, y in zip(a, b) if x > 0)  # noqa: E731
    assert metrics.js_distance(p, q) == pytest.approx(math.sqrt((kl(p, m) + kl(q, m)) / 2))
    assert cultureval.parse_distribution("{0.2, 0.8}", ["yes", "no"]) == pytest.approx([0.2, 0.8])
    assert metrics.macro_f1(["a", "b"], ["a", "a"], ["a", "b"]) == pytest.approx((2 / 3 + 0) / 2)
    assert isinstance(cultureval.__version__, str) and cultureval.__version__
    assert set(metrics.__all__) <= set(dir(metrics))
    with pytest.raises(AttributeError):
        metrics.no_such_metric  # noqa: B018
    with pytest.raises(AttributeError):
        cultureval.no_such_name  # noqa: B018

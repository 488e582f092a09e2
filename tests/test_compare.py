"""``cultureval compare``: the paired per-item difference of two models per task (issue 31
point 9), checked against SciPy's paired t-test and a hand-worked case."""

from __future__ import annotations

import pytest
from conftest import run_cli
from run_outputs import choice_line, write_output
from scipy import stats


def _doc(i: int) -> dict:
    return {"question_id": i, "country": "Japan", "n_options": 2, "survey_distribution": [0.5, 0.5]}


def _run(folder, model, values: dict[int, float], stamp="2026-01-01T00-00-00.000000"):
    lines = [choice_line(i, _doc(i), [-0.5, -1.0], {"culture_sim": v, "jsd": 1 - v}, "0.4") for i, v in values.items()]
    mean = sum(values.values()) / len(values)
    write_output(folder, model, {"global_opinion_jsd": ({"culture_sim": mean, "jsd": 1 - mean}, lines)}, stamp=stamp)


def _row(stdout: str, task: str) -> list[str]:
    import re

    [line] = [line for line in stdout.splitlines() if line.startswith(task + " ")]
    return re.split(r"\s{2,}", line.strip())


def test_paired_difference_by_hand_and_against_scipy(fixture_data_dir, tmp_path, monkeypatch):
    """A: 0.8 0.6 0.7 0.9 (+ an item B has not), B: 0.5 0.6 0.4 0.5. Differences 0.3 0 0.3 0.4:
    mean 0.25, sample variance 0.03, half-width t(0.975, 3)·sqrt(0.03/4) = 0.2756: the interval
    holds 0, so no difference at 95% on 4 items."""
    from cultureval.compare import compare_runs
    from cultureval.runs import read_runs

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    _run(tmp_path / "a", "model-a", {0: 0.8, 1: 0.6, 2: 0.7, 3: 0.9, 4: 0.1})
    _run(tmp_path / "b", "model-b", {0: 0.5, 1: 0.6, 2: 0.4, 3: 0.5})
    [paired] = compare_runs(read_runs([tmp_path]), "model-a", "model-b")
    a, b = [0.8, 0.6, 0.7, 0.9], [0.5, 0.6, 0.4, 0.5]
    scipy_interval = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert paired.n == 4 and paired.difference == pytest.approx(0.25)
    assert paired.interval == pytest.approx((scipy_interval.low, scipy_interval.high))
    assert paired.interval[1] - 0.25 == pytest.approx(stats.t.ppf(0.975, 3) * (0.03 / 4) ** 0.5)
    assert paired.verdict == "no difference at 95%"
    assert (paired.mean_a, paired.mean_b) == (pytest.approx(0.75), pytest.approx(0.5))


def test_the_better_model_in_the_metrics_direction(fixture_data_dir, tmp_path):
    """B is 0.2 below A on every one of 6 items, give or take 0.01: A better (culture_sim ↑);
    swapped, the verdict follows the model, not the column. The CLI prints the same numbers."""
    noise = [0.01, -0.01, 0.0, 0.005, -0.005, 0.0]
    a = {i: 0.5 + 0.05 * i for i in range(6)}
    b = {i: a[i] - 0.2 + noise[i] for i in range(6)}
    _run(tmp_path / "a", "model-a", a)
    _run(tmp_path / "b", "model-b", b)
    result = run_cli(
        ["cultureval", "compare", str(tmp_path), "--models", "model-a", "model-b"], fixture_data_dir, tmp_path
    )
    row = _row(result.stdout, "global_opinion_jsd")
    interval = stats.ttest_rel(list(a.values()), list(b.values())).confidence_interval(0.95)
    assert row[1] == "culture_sim ↑" and float(row[4]) == pytest.approx(0.2 - sum(noise) / 6, abs=5e-5)
    assert row[5] == f"[{interval.low:.4f}, {interval.high:.4f}]" and row[6] == "6" and row[7] == "model-a better"
    swapped = run_cli(
        ["cultureval", "compare", str(tmp_path), "--models", "model-b", "model-a"], fixture_data_dir, tmp_path
    )
    assert _row(swapped.stdout, "global_opinion_jsd")[7] == "model-a better"


def test_unknown_model_and_runs_that_cannot_be_paired(fixture_data_dir, tmp_path):
    """A model with no run: exit 2 and one line naming the models there. Runs of other items
    (another documents fingerprint) are in different comparable sets: listed, no number."""
    import json

    _run(tmp_path / "a", "model-a", {0: 0.5, 1: 0.6})
    _run(tmp_path / "b", "model-b", {0: 0.4, 1: 0.3})
    missing = run_cli(
        ["cultureval", "compare", str(tmp_path), "--models", "model-a", "nobody"],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr.strip().splitlines() == [
        "cultureval compare: no run of model 'nobody' in the results; models there: model-a, model-b"
    ]
    [results] = (tmp_path / "b").glob("results_*.json")
    data = json.loads(results.read_text())
    data["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]["docs_sha256"] = "cd" * 32
    results.write_text(json.dumps(data))
    apart = run_cli(
        ["cultureval", "compare", str(tmp_path), "--models", "model-a", "model-b"],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    row = _row(apart.stdout, "global_opinion_jsd")
    assert row[2:5] == ["—", "—", "—"] and row[-1].startswith("not compared: the runs are in different comparable sets")
    # nothing compared: the table says why, and the exit status is 1 (ran, produced nothing)
    assert apart.returncode == 1 and apart.stderr.strip().splitlines() == [
        "cultureval compare: no task has a paired difference of model-a and model-b (the last column says why)"
    ]


def test_the_same_model_twice_is_refused(fixture_data_dir, tmp_path):
    _run(tmp_path / "a", "model-a", {0: 0.5, 1: 0.6})
    same = run_cli(
        ["cultureval", "compare", str(tmp_path), "--models", "model-a", "model-a"],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    assert same.returncode == 2 and same.stderr.strip().splitlines() == [
        "cultureval compare: --models model-a model-a: compare needs two different models"
    ]


def test_which_run_was_used_and_one_row_per_comparable_set(fixture_data_dir, tmp_path):
    """Model A ran the task twice with one identity (a rerun) and once in chat rendering; B in
    both renderings. Each rendering is its own row (its own comparable set); within a set the
    latest rerun is used and the output names its file. A difference that rounds to zero prints
    ``0.0000``, not ``-0.0000``."""
    from run_outputs import write_output

    def run(folder, model, values, stamp, rendering):
        lines = [
            choice_line(i, _doc(i), [-0.5, -1.0], {"culture_sim": v, "jsd": 1 - v}, "0.4") for i, v in values.items()
        ]
        mean = sum(values.values()) / len(values)
        task = {"global_opinion_jsd": ({"culture_sim": mean, "jsd": 1 - mean}, lines)}
        return write_output(folder, model, task, stamp=stamp, rendering=rendering)

    run(tmp_path / "a1", "model-a", {0: 0.1, 1: 0.2, 2: 0.3}, "2026-01-01T00-00-00.000000", "plain")
    latest = run(tmp_path / "a2", "model-a", {0: 0.9, 1: 0.8, 2: 0.7}, "2026-02-01T00-00-00.000000", "plain")
    run(tmp_path / "a3", "model-a", {0: 0.3, 1: 0.6, 2: 0.5}, "2026-01-01T00-00-00.000000", "chat")
    run(tmp_path / "b1", "model-b", {0: 0.5, 1: 0.5, 2: 0.5}, "2026-01-01T00-00-00.000000", "plain")
    run(tmp_path / "b2", "model-b", {0: 0.3 + 1e-9, 1: 0.6, 2: 0.5}, "2026-01-01T00-00-00.000000", "chat")
    result = run_cli(
        ["cultureval", "compare", str(tmp_path), "--models", "model-a", "model-b"], fixture_data_dir, tmp_path
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("global_opinion_jsd (set ")]
    assert len(rows) == 2, result.stdout
    cells = [_row(row, row.split("  ")[0]) for row in rows]  # task, metric, A, B, A − B, interval, ...
    by_mean_a = {float(c[2]): c for c in cells}
    plain, chat = by_mean_a[0.8], by_mean_a[round((0.3 + 0.6 + 0.5) / 3, 4)]  # the latest plain rerun: 0.8, not 0.2
    assert float(plain[4]) == pytest.approx(0.3, abs=1e-4)
    assert chat[4] == "0.0000"  # -3.3e-10, not -0.0000
    [used] = [line for line in result.stdout.splitlines() if str(latest.parent) in line]
    assert "model-a from" in used and "the latest of 2 runs with the same identity" in used

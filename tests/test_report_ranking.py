"""The report ranks the better run first, per task kind, and never ranks runs that answer
different items or prompts together (issue case 5: ``global_opinion_default`` was ranked by
``country_sim_gap`` highest first; since task version 1.1 it is ranked by ``culture_sim_strict``,
issue 28, and a lower-is-better leaderboard metric is tested on :func:`ranked` directly)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cultureval.report import write_report

SHA = {name: (name * 64)[:64] for name in "abcdef"}

# task kind -> (task, leaderboard metric, the better value, the worse value). Which value is
# better is the metric's meaning, written here by hand from its definition: culture_sim = 1 - JS
# distance to the survey (closer is better); culture_sim_strict of default prompting = the same
# over every (question, country) pair, an unreadable answer 0 (higher is better); Pearson r / Spearman rho with
# the survey, macro-F1, entailment score and majority agreement: higher is better.
KINDS = {
    "log-prob": ("global_opinion_jsd", "culture_sim", 0.80, 0.60),
    "generative": ("global_opinion_cot", "culture_sim_strict", 0.70, 0.40),
    "sampled": ("global_opinion_sampled", "culture_sim_strict", 0.75, 0.55),
    "judged": ("culturebank_tiktok", "entailment_score", 0.60, 0.30),
    "judged (correlation)": ("wvs_polarity_en", "spearman_language", 0.50, -0.10),
    "default prompting": ("global_opinion_default", "culture_sim_strict", 0.60, 0.40),
    "value probing": ("global_opinion_wvs_pearson", "pearson_mean", 0.45, 0.05),
    "three settings: classification": ("binary_settings_classify", "majority_agreement", 0.9, 0.5),
    "three settings: reasoning": ("binary_settings_reasoning", "majority_agreement", 0.8, 0.4),
    "three settings: open conversation": ("binary_settings_open", "majority_agreement", 0.7, 0.3),
    "log-prob (CALI)": ("cali_nli_us", "macro_f1_binary", 0.55, 0.35),
}


def _block(**changes) -> dict:
    block = {
        "cultureval_version": "1.0",
        "task_version": 1.0,
        "data_source": {"location": "/data/x.csv", "sha256": SHA["a"]},
        "docs_sha256": SHA["b"],
        "prompt_sha256": SHA["c"],
        "rendering": "plain (human_assistant)",
        "shots": 0,
        "judge": {"name": "openai-compatible/judge-a@http://a/v1", "prompt_version": "2"},
    }
    for key, value in changes.items():
        if key == "data_sha256":
            block["data_source"] = {"location": "/data/y.csv", "sha256": value}
        else:
            block[key] = value
    return block


def _results(folder: Path, model: str, task: str, metrics: dict, block: dict, stamp: str) -> None:
    """An lm-eval results file (as ``lm_eval`` writes it, without samples) for one task run."""
    folder.mkdir(parents=True, exist_ok=True)
    results = {
        "results": {task: {"alias": task} | {f"{name},none": value for name, value in metrics.items()}},
        "configs": {task: {"task": task, "metadata": {"version": block["task_version"], "cultureval": block}}},
        "n-samples": {task: {"original": 10, "effective": 10}},
        "config": {"model": "hf", "model_args": f"pretrained=/models/{model}", "limit": None},
        "model_name": "hf",
    }
    (folder / f"results_{stamp}.json").write_text(json.dumps(results))


def _summary_table(text: str) -> list[dict]:
    lines = text.split("## Summary", 1)[1].split("\n## ", 1)[0].splitlines()
    table = [line for line in lines if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    return [dict(zip(header, [cell.strip() for cell in row.strip("|").split("|")])) for row in table[2:]]


@pytest.mark.parametrize("kind", list(KINDS))
def test_report_ranks_the_better_run_first(kind, tmp_path):
    """Of two comparable runs, the better one (by the metric's meaning) ranks first, in
    report.md and in summary.csv; the leaderboard metric is the one named above."""
    from cultureval.families import table_of

    task, metric, better, worse = KINDS[kind]
    assert table_of(task).leaderboard_metric == metric
    # the worse run is written first, so input order cannot explain the result
    _results(tmp_path / "in" / "worse", "worse-model", task, {metric: worse}, _block(), "2026-01-01T00-00-00.0")
    _results(tmp_path / "in" / "better", "better-model", task, {metric: better}, _block(), "2026-01-01T00-00-01.0")
    write_report([tmp_path / "in"], tmp_path / "report")
    rows = [r for r in _summary_table((tmp_path / "report" / "report.md").read_text()) if r["task"] == task]
    assert [(r["rank"], r["model"]) for r in rows] == [("1", "better-model"), ("2", "worse-model")]
    assert rows[0]["ranked by"].startswith(metric)
    summary = list(csv.DictReader((tmp_path / "report" / "summary.csv").read_text().splitlines()))
    ranks = {r["model"]: r["rank"] for r in summary if r["task"] == task and r["leaderboard"] == "True"}
    assert ranks == {"better-model": "1", "worse-model": "2"}


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"data_sha256": SHA["d"]}, "data sha256 (aaaaaaaaaaaa: first (lm-eval); dddddddddddd: second (lm-eval))"),
        ({"docs_sha256": SHA["d"]}, "documents (docs_sha256)"),
        ({"prompt_sha256": SHA["e"]}, "prompt (prompt_sha256) (cccccccccccc: first (lm-eval); eeeeeeeeeeee: second"),
        ({"task_version": 2.0}, "task version (1.0: first (lm-eval); 2.0: second (lm-eval))"),
        ({"rendering": "chat"}, "rendering (chat: second (lm-eval); plain: first (lm-eval))"),
        ({"shots": 3}, "shots (0: first (lm-eval); 3: second (lm-eval))"),
        ({"judge": {"name": "openai-compatible/judge-b@http://b/v1", "prompt_version": "2"}}, "judge ("),
        ({"prompt_sha256": None}, "prompt (prompt_sha256) (cccccccccccc: first (lm-eval); not recorded: second"),
    ],
)
def test_runs_that_differ_are_never_ranked_together(changes, said, tmp_path):
    """Two runs of one task that differ in one identity part: each is ranked alone (rank 1 in
    its own set), and the report's notes say what differs and which run has which value."""
    task = "global_opinion_jsd"
    _results(tmp_path / "in" / "a", "first", task, {"culture_sim": 0.5}, _block(), "2026-01-01T00-00-00.0")
    _results(tmp_path / "in" / "b", "second", task, {"culture_sim": 0.9}, _block(**changes), "2026-01-01T00-00-01.0")
    write_report([tmp_path / "in"], tmp_path / "report")
    text = (tmp_path / "report" / "report.md").read_text()
    rows = [r for r in _summary_table(text) if r["task"] == task]
    assert sorted((r["model"], r["rank"]) for r in rows) == [("first", "1"), ("second", "1")]
    assert {r["set"] for r in rows} == {"1", "2"}
    assert f"{task}: 2 sets of runs not ranked together — they differ in {said}" in text
    summary = list(csv.DictReader((tmp_path / "report" / "summary.csv").read_text().splitlines()))
    assert len({r["comparable_set"] for r in summary if r["task"] == task}) == 2


def test_every_leaderboard_metric_has_a_direction():
    """The ranking follows ``higher_is_better``; a leaderboard metric without one cannot rank."""
    from cultureval.definitions import task_names
    from cultureval.families import family_of, table_of

    for task in task_names():
        if family_of(task) is None:
            continue
        table = table_of(task)
        described = table.describe(table.leaderboard_metric)
        assert described is not None and described.higher_is_better in (True, False), task


def test_a_lower_is_better_leaderboard_metric_ranks_the_lowest_first():
    """``ranked`` in a metric's own direction: for a distance (lower is better) the smallest
    value first; runs without a value last and unranked; a metric without a direction refused."""
    from types import SimpleNamespace

    from cultureval.comparability import ranked

    runs = [SimpleNamespace(model=m, metrics={"gap": v}) for m, v in (("a", 0.5), ("b", 0.1), ("c", None))]
    assert [(rank, run.model) for rank, run in ranked(runs, "gap", False)] == [(1, "b"), (2, "a"), (None, "c")]
    assert [(rank, run.model) for rank, run in ranked(runs, "gap", True)] == [(1, "a"), (2, "b"), (None, "c")]
    with pytest.raises(ValueError, match="needs a direction"):
        ranked(runs, "gap", None)


def _run_on_items(model: str, task: str, metrics: dict, docs: list[dict], harness: str = "lm-eval"):
    """A run of ``task`` whose logged documents are ``docs`` (what the reader takes from the
    samples), with the identity block of :func:`_block`."""
    from cultureval.runs import Run

    run = Run(model=model, harness=harness, task=task, metrics=metrics, provenance=_block())
    run.__dict__["_scanned"] = (None, docs)  # Run.docs: read from the samples file otherwise
    return run


def test_a_model_below_a_know_nothing_yardstick_is_never_ranked_first(fixture_data_dir, monkeypatch):
    """Issue 31 point 4: SmolLM2 scored jsd 0.463, worse than uniform's 0.404 on the same items,
    and showed as rank 1. The uniform answer's culture_sim on the run's items is recomputed here
    with SciPy; a model below it is unranked (``below`` uniform), one above it ranks 1, in
    report.md's summary and in summary.json."""
    from scipy.spatial.distance import jensenshannon

    from cultureval.report import knows_nothing_floor, ranked_runs, set_rows
    from cultureval.tasks.global_opinions import loader

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    docs = loader.load().docs[:20]
    uniform = sum(
        1 - jensenshannon([1 / d["n_options"]] * d["n_options"], d["survey_distribution"], base=2) for d in docs
    ) / len(docs)
    task = "global_opinion_jsd"
    below = _run_on_items("smol", task, {"culture_sim": uniform - 0.05}, docs)
    above = _run_on_items("good", task, {"culture_sim": uniform + 0.01}, docs)
    just_below = _run_on_items("close", task, {"culture_sim": uniform - 1e-6}, docs)
    baseline = _run_on_items("uniform", task, {"culture_sim": uniform}, docs, harness="baseline")
    label, value = knows_nothing_floor([below], "culture_sim", True)
    assert label == "uniform" and value == pytest.approx(uniform, abs=1e-12)
    ranked = {member.run.model: member for member in ranked_runs([below, baseline, just_below, above])}
    assert (ranked["good"].rank, ranked["good"].below) == (1, "")
    assert (ranked["smol"].rank, ranked["smol"].below) == (None, "uniform")
    assert (ranked["close"].rank, ranked["close"].below) == (None, "uniform")
    assert ranked["uniform"].rank is None  # a baseline is a reference row, never ranked
    rows = [r for r in set_rows(list(ranked.values())) if r["leaderboard"]]
    assert {r["model"]: (r["rank"], r["below_yardstick"]) for r in rows if not r["yardstick"]} == {
        "good": (1, None),
        "smol": (None, "uniform"),
        "close": (None, "uniform"),
        "uniform": (None, None),
    }
    # the yardstick row beside them holds the same uniform value
    [floor_row] = [r for r in rows if r["yardstick"] == "uniform"]
    assert floor_row["value"] == pytest.approx(uniform, abs=1e-12) and floor_row["rank"] is None


def test_alone_below_uniform_is_not_first_in_the_report(fixture_data_dir, monkeypatch, tmp_path):
    """The case as the issue saw it: one model, alone in its set, worse than uniform — the
    summary says "below uniform" where the rank would be, and no row of the task reads rank 1."""
    from cultureval.report import _summary, ranked_runs
    from cultureval.tasks.global_opinions import loader

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    docs = loader.load().docs[:10]
    run = _run_on_items("smol", "global_opinion_jsd", {"culture_sim": 0.0}, docs)  # the worst possible
    table = _summary_table("\n".join(_summary(ranked_runs([run]))) + "\n## end")
    ranks = {row["model"]: row["rank"] for row in table}
    assert ranks["smol"] == "— (below uniform)" and "1" not in ranks.values()


def test_a_truncated_samples_file_gets_no_yardsticks_and_a_note(tmp_path):
    """The new-user trial deleted a line of a samples file: the model's number (its results, 3
    items) stood beside yardsticks scored on the 2 items left, and "below uniform" compared
    different items. Now: no yardsticks, a note saying how many items the samples hold."""
    import json

    from run_outputs import choice_line, write_output

    from cultureval.report import compute_yardsticks
    from cultureval.report_tools import missing_samples, yardsticks_of
    from cultureval.runs import read_runs

    docs = [{"question_id": i, "country": "Japan", "n_options": 2, "survey_distribution": [0.5, 0.5]} for i in range(3)]
    lines = [choice_line(i, doc, [-0.5, -1.0], {"culture_sim": 0.9, "jsd": 0.1}, "0.4") for i, doc in enumerate(docs)]
    path = write_output(tmp_path, "m", {"global_opinion_jsd": ({"culture_sim": 0.9, "jsd": 0.1}, lines)})
    [samples] = tmp_path.glob("samples_*.jsonl")
    samples.write_text("".join(samples.read_text().splitlines(keepends=True)[1:]))  # the first line lost
    assert json.loads(path.read_text())["n-samples"]["global_opinion_jsd"]["effective"] == 3
    [run] = read_runs([tmp_path])
    assert missing_samples(run) == "its samples hold 2 of the 3 items its results count"
    notes = compute_yardsticks([run])
    assert yardsticks_of(run) == {}
    assert notes == [
        f"{run.label} on global_opinion_jsd: yardsticks not computed (its samples hold 2 of the 3 "
        "items its results count), and the run is not ranked below one"
    ]

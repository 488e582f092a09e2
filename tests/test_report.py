"""``cultureval baseline`` (hand-computed expectations on fixtures) and ``cultureval report``
(renders on outputs of the tiny model, the baselines and an Inspect log; every figure checked)."""

from __future__ import annotations

import csv
import json
import math
import shutil

import numpy as np
import pytest
from conftest import run_cli

from cultureval.tasks.global_opinions.baselines import predict


def jsd_by_hand(p, q):
    """Jensen-Shannon distance, base 2, written out."""
    m = [(a + b) / 2 for a, b in zip(p, q)]

    def kl(a, b):
        return sum(x * math.log2(x / y) for x, y in zip(a, b) if x > 0)

    return math.sqrt((kl(p, m) + kl(q, m)) / 2)


def _baseline(kind, data_dir, tmp_path, *extra):
    out = tmp_path / "baselines"
    run_cli(
        ["cultureval", "baseline", kind, "--tasks", "global_opinion_jsd_binary", "-o", str(out), *extra],
        data_dir,
        tmp_path,
    )
    folder = out / f"baseline__{kind}"
    [results] = folder.glob("results_*.json")
    [samples] = folder.glob("samples_global_opinion_jsd_binary_*.jsonl")
    return json.loads(results.read_text()), [json.loads(line) for line in samples.read_text().splitlines()]


# binary subset of the fixture: (survey country, survey distribution)
POOR = {
    "United States": [0.55, 0.45],
    "China": [0.8, 0.2],
    "Japan": [0.6, 0.4],
    "India (Current national sample)": [0.7, 0.3],
}
MEAT = {"Japan": [0.9, 0.1], "India": [0.4, 0.6]}


def test_uniform_baseline_by_hand(fixture_data_dir, tmp_path):
    results, samples = _baseline("uniform", fixture_data_dir, tmp_path)
    entry = results["results"]["global_opinion_jsd_binary"]
    expected = [jsd_by_hand([0.5, 0.5], q) for q in [*POOR.values(), *MEAT.values()]]
    assert entry["jsd,none"] == pytest.approx(sum(expected) / len(expected))
    assert entry["culture_sim,none"] == pytest.approx(1 - sum(expected) / len(expected))
    assert len(samples) == 6 and results["model_name"] == "baseline/uniform"


def test_us_prior_baseline_by_hand(fixture_data_dir, tmp_path):
    results, _ = _baseline("us-prior", fixture_data_dir, tmp_path)
    entry = results["results"]["global_opinion_jsd_binary"]
    us = POOR["United States"]
    # the US's own item (distance 0 by construction) is left out, and so are the 2 items of the
    # meat question, which has no US sample; both counted
    expected = [jsd_by_hand(us, q) for country, q in POOR.items() if country != "United States"]
    assert entry["jsd,none"] == pytest.approx(sum(expected) / 3)
    assert entry["n_skipped_us_own_item,none"] == 1 and entry["n_skipped_no_us_answer,none"] == 2
    assert entry["n_skipped_no_prediction,none"] == 3
    assert results["n-samples"]["global_opinion_jsd_binary"] == {"original": 6, "effective": 3}


def test_a_baseline_that_predicts_no_item_exits_1_saying_why(fixture_data_dir, tmp_path):
    """The trial: ``baseline us-prior --limit 1`` predicts nothing (the first item is the US's
    own), exited 0 and printed a table of n/a with "add --log_samples". Now one line with the
    counted reasons and exit 1; the results file is still written."""
    out = tmp_path / "baselines"
    result = run_cli(
        ["cultureval", "baseline", "us-prior", "--tasks", "global_opinion_jsd_binary", "--limit", "1", "-o", str(out)],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    [results] = (out / "baseline__us-prior").glob("results_*.json")
    entry = json.loads(results.read_text())["results"]["global_opinion_jsd_binary"]
    reasons = {k.split(",")[0]: v for k, v in entry.items() if k.startswith("n_skipped_")}
    assert reasons["n_skipped_no_prediction"] == 1
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("cultureval baseline: baseline us-prior predicted no item (global_opinion_jsd_binary: ")
    assert all(f"{name} {count}" in line for name, count in reasons.items())


def test_survey_resample_draws_from_the_survey():
    docs = [{"n_options": 2, "survey_distribution": [0.8, 0.2], "question_id": 0, "country": "X", "country_sample": ""}]
    fifty = [doc | {"question_id": i} for doc in docs for i in range(50)]
    one = predict("survey-resample", fifty, n=1, seed=3)
    assert all(sorted(p) == [0.0, 1.0] for p in one)  # one respondent: a one-hot answer
    assert 0.6 < np.mean([p[0] for p in one]) < 0.95
    many = predict("survey-resample", docs, n=1_000_000, seed=3)[0]
    assert many[0] == pytest.approx(0.8, abs=0.002)
    assert predict("survey-resample", docs, n=10, seed=5) == predict("survey-resample", docs, n=10, seed=5)
    with pytest.raises(ValueError):
        predict("survey-resample", docs, n=0)
    # each item its own stream: the order the items come in (lm-eval and Inspect log them in
    # different orders) changes no item's draw (the helper's trial saw 0.954 vs 0.907 on 3 items)
    assert predict("survey-resample", fifty[::-1], n=10, seed=3)[::-1] == predict(
        "survey-resample", fifty, n=10, seed=3
    )


def _check_figures(report_dir, expected_files):
    from matplotlib.image import imread

    manifest = json.loads((report_dir / "figures.json").read_text())
    files = {entry["file"] for entry in manifest}
    assert set(expected_files) <= files, files
    for entry in manifest:
        assert entry["title"] and entry["xlabel"] and entry["ylabel"] and entry["legend"], entry
        image = imread(report_dir / entry["file"])
        assert image.shape[0] >= 200 and image.shape[1] >= 300, (entry["file"], image.shape)
        assert float(np.std(image[..., :3])) > 0.01, f"{entry['file']} is blank"
        assert f"]({entry['file']})" in (report_dir / "report.md").read_text()


@pytest.mark.e2e
def test_report_on_tiny_model_outputs_baselines_and_inspect(tiny_model, fixture_data_dir, tmp_path):
    from test_e2e_global_opinions import inspect_run

    run_cli(
        [
            "cultureval",
            "lm-eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={tiny_model}",
            "--tasks",
            "global_opinion_jsd,cali_nli",
            "--output_path",
            str(tmp_path / "lm" / "lm-eval-out"),
            "--log_samples",
            "--batch_size",
            "4",
        ],
        fixture_data_dir,
        tmp_path / "lm",
    )
    inspect_run(tiny_model, fixture_data_dir, tmp_path / "inspect", task="global_opinion_jsd")
    _baseline("uniform", fixture_data_dir, tmp_path)
    report_dir = tmp_path / "report"
    run_cli(
        [
            "cultureval",
            "report",
            str(tmp_path / "lm" / "lm-eval-out"),
            str(tmp_path / "inspect" / "inspect-logs"),
            str(tmp_path / "baselines"),
            "-o",
            str(report_dir),
        ],
        fixture_data_dir,
        tmp_path,
    )
    text = (report_dir / "report.md").read_text()
    for heading in ("## Summary", "## GlobalOpinionQA", "## CulturallyAwareNLI"):
        assert heading in text
    assert "| global_opinion_jsd | " in text and "| baseline/uniform | baseline |" in text
    # one model under two harnesses: named alike (the model folder), and the rendering
    # difference (plain in lm-eval, instruction through Inspect's hf provider) said in words
    model = tiny_model.name
    assert f"| {model} | lm-eval |" in text and f"| {model} | inspect |" in text
    assert (
        f"{model} on global_opinion_jsd was run with different renderings — instruction (inspect), plain (lm-eval)"
        in text
    )
    # the leaderboard files: one row per run x metric; the leaderboard metric and its direction
    rows = list(csv.DictReader((report_dir / "summary.csv").read_text(encoding="utf-8").splitlines()))
    # each run alone in its set: rank 1, unless it scores worse than the uniform yardstick on the
    # same items (issue 31.4: then never ranked, and said so)
    for rendering, harness in (("plain", "lm-eval"), ("instruction", "inspect")):
        [lead] = [
            r
            for r in rows
            if (r["task"], r["harness"], r["leaderboard"], r["yardstick"])
            == ("global_opinion_jsd", harness, "True", "")
        ]
        [floor] = [
            r
            for r in rows
            if r["comparable_set"] == lead["comparable_set"]
            and r["yardstick"] == "uniform"
            and r["leaderboard"] == "True"
        ]
        below = float(lead["value"]) < float(floor["value"])
        shown_rank = "— (below uniform)" if below else "1"
        assert f"| global_opinion_jsd | {rendering} | {shown_rank} |" in text
        assert (lead["rank"], lead["below_yardstick"]) == (("", "uniform") if below else ("1", ""))
    lm_eval_jsd = [r for r in rows if r["task"] == "global_opinion_jsd" and r["harness"] == "lm-eval"]
    [leader] = [r for r in lm_eval_jsd if r["leaderboard"] == "True"]
    assert leader["metric"] == "culture_sim" and leader["higher_is_better"] == "True"
    [jsd] = [r for r in lm_eval_jsd if r["metric"] == "jsd"]
    results = json.loads(next((tmp_path / "lm" / "lm-eval-out").rglob("results_*.json")).read_text())
    assert float(jsd["value"]) == pytest.approx(results["results"]["global_opinion_jsd"]["jsd,none"])
    assert jsd["rendering"] == "plain" and jsd["model"] == model and jsd["data_sha256"]
    as_json = json.loads((report_dir / "summary.json").read_text())
    assert [(r["model"], r["task"], r["harness"], r["metric"]) for r in as_json] == [
        (r["model"], r["task"], r["harness"], r["metric"]) for r in rows
    ]
    _check_figures(
        report_dir,
        ["global_opinion_jsd_culture_sim_by_country.png", "global_opinion_jsd_error_vs_options.png", "cali_f1.png"],
    )
    # CALI's figure draws the never-entail floor (issue 31.7), recomputed here with scikit-learn
    from sklearn.metrics import f1_score

    from cultureval.runs import read_runs
    from cultureval.tasks.cali.report import _never_entail

    manifest = {entry["file"]: entry for entry in json.loads((report_dir / "figures.json").read_text())}
    assert "never-entail (the floor, on the same items)" in manifest["cali_f1.png"]["legend"]
    [us] = [run for run in read_runs([tmp_path / "lm"]) if run.task == "cali_nli_us"]
    gold = [doc["majority"] == "E" for doc in us.docs if doc["majority"]]
    assert _never_entail([us]) == pytest.approx(f1_score(gold, [False] * len(gold), average="macro", zero_division=0))


def test_report_messages(fixture_data_dir, tmp_path):
    missing = run_cli(
        ["cultureval", "report", str(tmp_path / "nowhere"), "-o", str(tmp_path / "r")],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr

    # results without samples, and two runs of one task on different data: said in the report
    _baseline("uniform", fixture_data_dir, tmp_path)
    [results_path] = (tmp_path / "baselines" / "baseline__uniform").glob("results_*.json")
    for samples in results_path.parent.glob("samples_*.jsonl"):
        samples.unlink()
    other = tmp_path / "other" / "baseline__uniform"
    other.mkdir(parents=True)
    results = json.loads(results_path.read_text())
    results["configs"]["global_opinion_jsd_binary"]["metadata"]["cultureval"]["data_source"]["sha256"] = "0" * 64
    (other / "results_2026-01-01T00-00-00.000000.json").write_text(json.dumps(results))
    report_dir = tmp_path / "report"
    run_cli(
        ["cultureval", "report", str(tmp_path / "baselines"), str(tmp_path / "other"), "-o", str(report_dir)],
        fixture_data_dir,
        tmp_path,
    )
    text = (report_dir / "report.md").read_text()
    assert "run lm-eval with --log_samples" in text
    assert "global_opinion_jsd_binary: 2 sets of runs not ranked together — they differ in data sha256" in text


@pytest.mark.real
def test_report_on_a_smollm2_run(smollm2, shared_data_dir, tmp_path):
    run_cli(["cultureval", "run", "--limit", "20", "--output-path", str(tmp_path / "out")], shared_data_dir, tmp_path)
    run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd_6c", "-o", str(tmp_path / "out")],
        shared_data_dir,
        tmp_path,
    )
    report_dir = tmp_path / "report"
    run_cli(["cultureval", "report", str(tmp_path / "out"), "-o", str(report_dir)], shared_data_dir, tmp_path)
    text = (report_dir / "report.md").read_text()
    assert "baseline/uniform" in text and "SmolLM2-135M-Instruct" in text
    _check_figures(
        report_dir, ["global_opinion_jsd_6c_culture_sim_by_country.png", "global_opinion_jsd_6c_error_vs_options.png"]
    )
    shutil.rmtree(tmp_path / "out")


def test_a_run_of_a_renamed_task_is_named_not_dropped(use_fixture_data, tmp_path):
    """Results written before 0.2.0 carry the three-setting tasks' old names, which no family
    holds: the report says which run it left out and the task's new name."""
    from cultureval.baselines import write_baseline
    from cultureval.report import write_report

    path = write_baseline("uniform", ["global_opinion_jsd_binary"], tmp_path / "out", limit=2)
    text = path.read_text().replace('"global_opinion_jsd_binary"', '"global_opinion_binary_cot"')
    path.write_text(text)
    report = write_report([tmp_path / "out"], tmp_path / "report").read_text()
    assert (
        f"{path}: baseline/uniform on 'global_opinion_binary_cot' was renamed to 'binary_settings_reasoning' in "
        "cultureval 0.2.0 (CHANGELOG.md); left out — rerun under the new name"
    ) in report
    assert "| global_opinion_binary_cot |" not in report  # in no table


def test_report_sections_of_the_judged_families(fixture_data_dir, tmp_path):
    """A judged lm-eval results file (as ``cultureval judge`` writes it) renders the WVS-polarity
    and CultureBank sections; values are hand-set so every bar exists."""
    folder = tmp_path / "judged" / "model-a"
    folder.mkdir(parents=True)
    polarity = {
        "wvs_polarity_da": {
            "spearman_language": 0.4,
            "spearman_language_ci_low": 0.1,
            "spearman_language_ci_high": 0.6,
            "spearman_country_DK": 0.4,
            "spearman_country_US": 0.5,
            "us_bias": 0.1,
            "self_consistency": 0.7,
            "self_consistency_bootstrap_mean": 0.75,
            "human_ceiling_DK": 0.76,
            "human_ceiling": 0.76,
            "judge_parse_rate": 0.9,
        },
        "wvs_polarity_en": {
            "spearman_language": 0.3,
            "spearman_country_US": 0.35,
            "spearman_country_GB": 0.2,
            "us_bias_GB": 0.15,
            "us_bias": 0.15,
            "human_ceiling_US": 0.66,
            "human_ceiling_GB": 0.70,
            "human_ceiling": 0.68,
            "judge_parse_rate": 1.0,
        },
        "culturebank_tiktok": {
            "entailment_score": 0.6,
            "entailment_score_stderr": 0.05,
            "entail_rate": 0.55,
            "judge_parse_rate": 1.0,
            "entailment_score|topic=Food and Dining": 0.7,
            "entailment_score|topic=Dress Codes": 0.5,
        },
    }
    results = {
        "results": {
            task: {"alias": task, **{f"{k},none": v for k, v in metrics.items()}} for task, metrics in polarity.items()
        },
        "n-samples": {task: {"original": 10, "effective": 10} for task in polarity},
        "model_name": "org/model-a",
    }
    (folder / "results_2026-01-01T00-00-00.json").write_text(json.dumps({"results": {}, "model_name": "org/model-a"}))
    (folder / "results_judged_2026-01-01T00-00-00.json").write_text(json.dumps(results))
    report_dir = tmp_path / "report"
    run_cli(["cultureval", "report", str(tmp_path / "judged"), "-o", str(report_dir)], fixture_data_dir, tmp_path)
    text = (report_dir / "report.md").read_text()
    assert "## WVS value polarity" in text and "## CultureBank" in text
    assert (
        "| da | org/model-a | 0.400 | 95% CI [0.100, 0.600] | 0.100 | n/a | 0.700 | 0.750 | 0.760 | 0.900 | n/a |"
        in text
    )
    assert (
        "| culturebank_tiktok | n/a | 1 | — | org/model-a | lm-eval | — | entailment_score ↑ | 0.600 | ± 0.050 | "
        "entailment_score ↑ | 0.600 | 10 | 1.000 |" in text
    )
    _check_figures(
        report_dir,
        [
            "wvs_polarity_by_country.png",
            "wvs_polarity_self_consistency.png",
            "wvs_polarity_us_vs_local.png",
            "culturebank_tiktok_by_topic.png",
        ],
    )
    manifest = {entry["file"]: entry for entry in json.loads((report_dir / "figures.json").read_text())}
    # countries in a fixed (alphabetical) order
    assert manifest["wvs_polarity_by_country.png"]["xticks"] == ["DK (da)", "GB (en)", "US (en)"]
    # the human ceiling is drawn beside the metric of its granularity only: self-consistency
    assert "human ceiling (10 resampled respondents)" in manifest["wvs_polarity_self_consistency.png"]["legend"]
    assert not any("ceiling" in label for label in manifest["wvs_polarity_by_country.png"]["legend"])


def test_report_prints_the_yardsticks_true_scores_and_map_of_the_runs_items(fixture_data_dir, tmp_path):
    """A uniform baseline run reported: its items' yardsticks (rows of report.md's summary and of
    summary.csv), GlobalOpinionBench's per-country true score and country-level R², and the map."""
    _baseline("uniform", fixture_data_dir, tmp_path)
    report_dir = tmp_path / "report"
    run_cli(["cultureval", "report", str(tmp_path / "baselines"), "-o", str(report_dir)], fixture_data_dir, tmp_path)
    text = (report_dir / "report.md").read_text()
    with open(report_dir / "summary.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    surveys = [*POOR.values(), *MEAT.values()]
    uniform = np.mean([jsd_by_hand([0.5, 0.5], q) for q in surveys])
    resample = [r for r in rows if r["yardstick"] == "survey n=100" and r["metric"] == "jsd"]
    [yardstick] = [r for r in rows if r["model"] == "yardstick: uniform" and r["metric"] == "jsd"]
    assert float(yardstick["value"]) == pytest.approx(uniform) and yardstick["harness"] == "yardstick"
    assert yardstick["n"] == "6" and len(resample) == 1
    [us] = [r for r in rows if r["model"] == "yardstick: US prior" and r["metric"] == "jsd"]
    us_expected = np.mean([jsd_by_hand(POOR["United States"], q) for c, q in POOR.items() if c != "United States"])
    assert float(us["value"]) == pytest.approx(us_expected) and us["n"] == "3"
    assert all(r["yardstick"] == "" for r in rows if not r["model"].startswith("yardstick: "))
    # never ranked: no rank, in the comparable set of the run whose items it was scored on
    [run_row] = [r for r in rows if r["model"] == "baseline/uniform" and r["metric"] == "jsd"]
    # a baseline is a reference row too: never ranked
    assert run_row["rank"] == "" and all(r["rank"] == "" for r in rows if r["yardstick"])
    assert {r["comparable_set"] for r in rows} == {run_row["comparable_set"]}
    # report.md: an unranked row under the set, the leaderboard metric (culture_sim ↑) then the headline
    assert (
        f"| — | — | yardstick: uniform | on baseline/uniform's items | — | culture_sim ↑ | {1 - uniform:.3f} | n/a | "
        f"jsd ↓ | {uniform:.3f} | 6 | — |" in text
    )
    # per country (plain names: India's two samples are one country): mean distance, options, true score
    by_country = {"United States": [POOR["United States"]], "China": [POOR["China"]]}
    by_country["Japan"] = [POOR["Japan"], MEAT["Japan"]]
    by_country["India"] = [POOR["India (Current national sample)"], MEAT["India"]]
    means = {c: np.mean([jsd_by_hand([0.5, 0.5], q) for q in qs]) for c, qs in by_country.items()}
    for country, jsd in means.items():
        assert f"| {country} | {jsd:.3f} / 2.0 / {2 / jsd:.3f} |" in text
    # the country-level R² needs two different mean option counts: all items here have 2 options
    assert "R² country-level" in text
    _check_figures(report_dir, ["global_opinion_jsd_binary_map_0.png"])


def test_country_level_fit_and_true_score_by_hand():
    from scipy import stats

    from cultureval.tasks.global_opinions.report import country_options_fit, options_fit, true_scores

    items = [
        {"country": "A", "n_options": 2, "jsd": 0.1},
        {"country": "A", "n_options": 4, "jsd": 0.3},
        {"country": "B", "n_options": 5, "jsd": 0.4},
        {"country": "C", "n_options": 10, "jsd": 0.5},
        {"country": "C", "n_options": 2, "jsd": 0.3},
        {"country": "D", "n_options": 4, "jsd": 0.2},
    ]
    # one point per country: (mean options, mean distance)
    points = {"A": (3.0, 0.2), "B": (5.0, 0.4), "C": (6.0, 0.4), "D": (4.0, 0.2)}
    fit = stats.linregress([x for x, _ in points.values()], [y for _, y in points.values()])
    slope, _, r2 = country_options_fit(items)
    assert r2 == pytest.approx(fit.rvalue**2) and slope == pytest.approx(fit.slope)
    item_fit = stats.linregress([i["n_options"] for i in items], [i["jsd"] for i in items])
    assert options_fit(items)[2] == pytest.approx(item_fit.rvalue**2) != pytest.approx(r2)
    assert true_scores(items) == pytest.approx({c: x / y for c, (x, y) in points.items()})
    assert country_options_fit(items[:3]) is None  # two countries: no line

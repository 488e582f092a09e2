"""End to end for the judge-scored tasks (WVS polarity, CultureBank) on the tiny model:
lm-eval generation + ``cultureval judge`` against a fake OpenAI-compatible server on
127.0.0.1, and ``inspect eval`` with a ``grader`` model role; both report the same names."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from fake_judge import FakeJudge, chat_completion
from fixtures import WVS_TRUTH_LANGUAGE
from scipy import stats
from test_e2e_global_opinions import inspect_run, lm_eval_run

pytestmark = pytest.mark.e2e

GEN = ("--gen_kwargs", "max_gen_toks=12")


def judge_cli(out, data_dir, tmp_path, server, extra=(), check=True):
    return run_cli(
        ["cultureval", "judge", str(out), "--judge-model", "fake-judge", "--judge-base-url", server.base_url, *extra],
        data_dir,
        tmp_path,
        check=check,
        env_extra={"CULTUREVAL_JUDGE_API_KEY": "", "OPENAI_API_KEY": ""},
    )


def judged_results(out, task):
    [path] = out.rglob("results_judged_*.json")
    results = json.loads(path.read_text())
    [samples_path] = out.rglob(f"samples_judged_{task}_*.jsonl")
    return results, [json.loads(line) for line in samples_path.read_text().splitlines()]


def names(entry: dict) -> set[str]:
    return {key.split(",")[0] for key in entry if "," in key}


def test_wvs_polarity_lm_eval_then_judge_and_inspect_report_the_same_names(tiny_model, fixture_data_dir, tmp_path):
    task = "wvs_polarity_en"
    _, samples = lm_eval_run(f"pretrained={tiny_model}", fixture_data_dir, tmp_path / "lm", task=task, extra=GEN)
    assert len(samples) == 10
    out = tmp_path / "lm" / "lm-eval-out"
    with FakeJudge() as server:
        judge_cli(out, fixture_data_dir, tmp_path / "judge", server)
        assert len(server.requests) == 10
        judge_cli(out, fixture_data_dir, tmp_path / "judge", server)  # rerun: all from the cache
        assert len(server.requests) == 10
    results, judged = judged_results(out, task)
    entry = results["results"][task]
    assert entry["judge_parse_rate,none"] == 1.0
    assert results["cultureval_judge"]["prompt_versions"]["wvs_polarity"] == "polarity-v1"
    assert "fake-judge" in results["cultureval_judge"]["judge"]

    # spearman_language recomputed from the judged samples and the fixture's ground truth: one
    # point per response with a pro share, responses in another language left out
    usable = [line for line in judged if line["n_pro"] + line["n_con"] and line["wrong_language"] is not True]
    x = [line["n_pro"] / (line["n_pro"] + line["n_con"]) for line in usable]
    y = [WVS_TRUTH_LANGUAGE["en"][line["question_key"].upper()] for line in usable]
    assert len(usable) >= 3, judged  # the fake judge's labels vary: the correlation is defined
    assert entry["spearman_language,none"] == pytest.approx(stats.spearmanr(x, y).statistic)
    assert entry["spearman_language_n_responses,none"] == len(usable)
    assert entry["us_bias,none"] == pytest.approx(
        (
            (entry["spearman_country_US,none"] - entry["spearman_country_GB,none"])
            + (entry["spearman_country_US,none"] - entry["spearman_country_CA,none"])
        )
        / 2
    )

    log = inspect_run(
        tiny_model,
        fixture_data_dir,
        tmp_path / "inspect",
        task=task,
        extra=(
            "-M",
            "do_sample=false",
            "-T",
            "max_tokens=12",
            "--model-role",
            f"grader={{model: hf/tiny, model_args: {{model_path: {tiny_model}, do_sample: false}}}}",
        ),
    )
    [score] = log.results.scores
    inspect_names = set(score.metrics)
    assert inspect_names <= names(entry), inspect_names - names(entry)
    # besides the "N/A" stderr entries lm-eval writes for its own metrics, Inspect leaves out only
    # per-group values this run could not define (every judgement failed: no country's ρ)
    from cultureval.families import table_of
    from cultureval.scorers.records import _per_group

    lm_eval_only = {"n_language_undetermined_stderr", "wrong_language_rate_stderr"}
    left_out = names(entry) - inspect_names - lm_eval_only
    assert lm_eval_only <= names(entry) - inspect_names
    # (the lm-eval run was judged by the fake judge and defines some of them)
    assert all(_per_group(table_of(task), name) for name in left_out), left_out
    assert score.metrics["n_responses"].value == 10
    # a random tiny model cannot judge: every judgement is a counted failure, nothing crashes
    assert score.metrics["judge_parse_rate"].value == 0.0 and score.metrics["n_judge_failures"].value == 10
    assert log.eval.metadata["judge_prompt_version"] == "polarity-v1"


def test_culturebank_lm_eval_then_judge_and_inspect(tiny_model, fixture_data_dir, tmp_path):
    task = "culturebank_tiktok"
    _, samples = lm_eval_run(f"pretrained={tiny_model}", fixture_data_dir, tmp_path / "lm", task=task, extra=GEN)
    out = tmp_path / "lm" / "lm-eval-out"
    with FakeJudge() as server:
        judge_cli(out, fixture_data_dir, tmp_path / "judge", server)
    results, judged = judged_results(out, task)
    entry = results["results"][task]
    # the fake judge answers P(Yes) = 0.3 unless the answer mentions "tip"
    texts = [s["filtered_resps"][0] for s in samples]
    texts = [text[0] if isinstance(text, list) else text for text in texts]  # lm-eval 0.5 nests one more list
    expected = [0.8 if "tip" in text.lower() else 0.3 for text in texts]
    assert entry["entailment_score,none"] == pytest.approx(sum(expected) / len(expected))
    assert entry["entail_rate,none"] == pytest.approx(sum(e > 0.5 for e in expected) / len(expected))
    assert {line["method"] for line in judged} == {"logprobs"}
    assert entry["judge_parse_rate,none"] == 1.0
    assert results["configs"][task]["metadata"]["cultureval"]["data_source"]["partial"] is True

    log = inspect_run(
        tiny_model,
        fixture_data_dir,
        tmp_path / "inspect",
        task=task,
        extra=(
            "-M",
            "do_sample=false",
            "-T",
            "max_tokens=12",
            "--model-role",
            f"grader={{model: hf/tiny, model_args: {{model_path: {tiny_model}, do_sample: false}}}}",
        ),
    )
    metrics = log.results.scores[0].metrics
    assert {"entailment_score", "entail_rate", "judge_parse_rate", "n_judge_failures"} <= set(metrics)
    assert set(metrics) <= names(entry)
    # the tiny model exposes log-probabilities; if neither Yes nor No is among them and its text
    # is not Yes/No, the item is a counted failure
    assert metrics["n_judged"].value + metrics["n_judge_failures"].value == len(samples)


def test_judge_failures_are_counted_and_correlations_undefined(tiny_model, fixture_data_dir, tmp_path):
    task = "wvs_polarity_da"
    lm_eval_run(f"pretrained={tiny_model}", fixture_data_dir, tmp_path / "lm", task=task, extra=GEN)
    out = tmp_path / "lm" / "lm-eval-out"
    with FakeJudge(lambda body, attempt: (200, chat_completion('{"labels": ["pro", "con"]}'))) as server:
        result = judge_cli(out, fixture_data_dir, tmp_path / "judge", server, check=False)
    # nothing was judged: the judged file is written (with the failures), the command says so
    assert result.returncode == 1 and "every judgement failed" in result.stderr
    assert "wrong_count 5" in result.stdout
    results, judged = judged_results(out, task)
    entry = results["results"][task]
    assert entry["judge_parse_rate,none"] == 0.0 and entry["n_judge_failures,none"] == 5
    assert entry["spearman_language,none"] is None and entry["us_bias,none"] is None
    assert results["cultureval_judge"]["tasks"][task]["failures"] == {"wrong_count": 5}
    assert {line["failure"] for line in judged} == {"wrong_count"}


def test_judge_cli_says_what_is_missing(fixture_data_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with FakeJudge() as server:
        result = judge_cli(empty, fixture_data_dir, tmp_path, server, check=False)
    assert result.returncode == 2 and "empty: holds neither lm-eval results_*.json" in result.stderr

"""Real tier: SmolLM2-135M-Instruct on the shared WVS-polarity and CultureBank data, small
limits and short generations. SmolLM2 is far too weak to judge (see the README): what is
checked is that every metric is reported and that judge failures are counted, not fatal."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from fake_judge import FakeJudge

pytestmark = pytest.mark.real


def _inspect(tasks, smollm2, shared_data_dir, tmp_path, limit):
    from inspect_ai.log import list_eval_logs, read_eval_log

    log_dir = tmp_path / "logs"
    grader = f"grader={{model: hf/smollm2, model_args: {{model_path: {smollm2}, do_sample: false}}}}"
    run_cli(
        [
            "inspect",
            "eval",
            *(f"cultureval/{task}" for task in tasks.split(",")),
            "--model",
            "hf/smollm2",
            "-M",
            f"model_path={smollm2}",
            "-M",
            "do_sample=false",
            "--model-role",
            grader,
            "-T",
            "max_tokens=48",
            "--limit",
            str(limit),
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
        ],
        shared_data_dir,
        tmp_path,
    )
    logs = {}
    for info in list_eval_logs(str(log_dir)):
        log = read_eval_log(info)
        assert log.status == "success", log.error
        logs[log.eval.task.split("/")[-1]] = log
    assert sorted(logs) == sorted(tasks.split(","))
    return logs


def test_inspect_wvs_polarity_da_with_smollm2_as_grader(smollm2, shared_data_dir, tmp_path):
    log = _inspect("wvs_polarity_da", smollm2, shared_data_dir, tmp_path, 3)["wvs_polarity_da"]
    metrics = log.results.scores[0].metrics
    for name in (
        "spearman_language",
        # spearman_country_DK is a per-group value: left out when the 3 responses do not define it
        "spearman_global",
        "us_bias",
        "self_consistency",
        "judge_parse_rate",
        "wrong_language_rate",
        "human_ceiling_DK",
    ):
        assert name in metrics, sorted(metrics)
    assert 0.0 <= metrics["judge_parse_rate"].value <= 1.0
    assert metrics["n_responses"].value == 3
    assert metrics["human_ceiling_DK"].value == pytest.approx(0.7618, abs=1e-3)  # gt_self_consistency.csv
    assert log.eval.model_roles and "grader" in log.eval.model_roles


def test_inspect_culturebank_with_smollm2_as_grader(smollm2, shared_data_dir, tmp_path):
    logs = _inspect("culturebank_tiktok,culturebank_reddit", smollm2, shared_data_dir, tmp_path, 2)
    for log in logs.values():
        metrics = log.results.scores[0].metrics
        assert {"entailment_score", "entail_rate", "judge_parse_rate", "n_judge_failures"} <= set(metrics)
        assert metrics["n_judged"].value + metrics["n_judge_failures"].value == 2
        assert log.eval.metadata["data_source"]["partial"] is True
        assert {s.scores["entailment_scorer"].metadata["judge_method"] for s in log.samples} <= {"logprobs", "text", ""}


def test_lm_eval_then_judge_on_smollm2_outputs(smollm2, shared_data_dir, tmp_path):
    out = tmp_path / "lm"
    run_cli(
        [
            "cultureval",
            "lm-eval",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={smollm2}",
            "--tasks",
            "wvs_polarity_pt,culturebank",
            "--limit",
            "2",
            "--gen_kwargs",
            "max_gen_toks=48",
            "--apply_chat_template",
            "--output_path",
            str(out),
            "--log_samples",
        ],
        shared_data_dir,
        tmp_path,
    )
    with FakeJudge() as server:
        run_cli(
            ["cultureval", "judge", str(out), "--judge-model", "fake-judge", "--judge-base-url", server.base_url],
            shared_data_dir,
            tmp_path,
        )
    [judged] = out.rglob("results_judged_*.json")
    results = json.loads(judged.read_text())
    pt = results["results"]["wvs_polarity_pt"]
    assert pt["judge_parse_rate,none"] == 1.0 and pt["n_responses,none"] == 2
    assert {"spearman_country_BR,none", "spearman_country_PT,none", "human_ceiling_BR,none"} <= set(pt)
    splits = [results["results"][f"culturebank_{split}"]["entailment_score,none"] for split in ("tiktok", "reddit")]
    assert all(0.0 <= value <= 1.0 for value in splits)
    # the group score is the unweighted mean of the two splits
    assert results["results"]["culturebank"]["entailment_score,none"] == pytest.approx(sum(splits) / 2)
    assert results["configs"]["culturebank_reddit"]["metadata"]["cultureval"]["data_source"]["partial"] is True

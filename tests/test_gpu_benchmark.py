"""``benchmarks/gpu.py`` on CPU with the tiny Qwen2-shaped architecture: it builds the model from
the shipped config with random weights, runs a task through lm-eval's HF backend and reports
numbers that agree with the data and a hand count of the parameters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_benchmark_runs_a_tiny_architecture_on_cpu(tiny_model, use_fixture_data, tmp_path):
    from transformers import AutoTokenizer

    from cultureval.definitions import task_definition

    out = tmp_path / "rows.json"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")  # the data dir: use_fixture_data
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "gpu.py"),
            "--arch",
            "tiny-qwen2",
            "--tokenizer",
            str(tiny_model),
            "--device",
            "cpu",
            "--dtype",
            "float32",
            "--tasks",
            "global_opinion_jsd",
            "--limit",
            "3",
            "--backends",
            "hf",
            "--peak-tflops",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [row] = json.loads(out.read_text())
    assert "lm-eval hf" in result.stdout and "global_opinion_jsd" in result.stdout
    # lm-eval sends one loglikelihood request per option letter
    docs = list(task_definition("global_opinion_jsd").load_dataset())[:3]
    assert row["items"] == 3 and row["requests"] == sum(doc["n_options"] for doc in docs)
    assert row["generated_tokens"] == 0 and row["prompt_tokens"] > 0 and row["eval_s"] > 0
    # parameters of tiny-qwen2 by hand: q/k/v carry biases in Qwen2; head_dim 16, 2 KV heads
    hidden, inter, kv = 64, 128, 2 * 16
    vocab = max(600, len(AutoTokenizer.from_pretrained(tiny_model)))
    layer = (hidden * hidden + hidden) + 2 * (hidden * kv + kv) + hidden * hidden + 3 * hidden * inter + 2 * hidden
    assert row["parameters"] == 2 * vocab * hidden + 2 * layer + hidden
    bound = 2 * row["parameters"] * row["prompt_tokens"] / 1e12
    assert f"{bound:.3g}" in result.stdout  # the compute bound at 1 TFLOP/s, printed beside the run

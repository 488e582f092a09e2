"""Throughput of cultureval's tasks per backend with a model of a named architecture and random
weights: no weights to download, since speed depends on the shapes and the tokenizer, not on the
weight values (prints a table).

    # CI / here: a tiny Qwen2-shaped model on CPU, a few items (any tokenizer folder works)
    python benchmarks/gpu.py --arch tiny-qwen2 --tokenizer TOKENIZER_DIR --device cpu --limit 4 \\
        --tasks global_opinion_jsd_6c --backends hf
    # one H100: Qwen2.5-7B shapes, the real Qwen2.5 tokenizer (a folder: see the README,
    # "Throughput and cost"), every backend installed
    python benchmarks/gpu.py --arch qwen2.5-7b --tokenizer ./qwen2.5-tokenizer --device cuda \\
        --tasks global_opinion_jsd,global_opinion_cot_6c --backends hf,vllm,inspect-vllm --limit 0

Architectures are the JSON configs in ``benchmarks/architectures/`` (or a path to one). Backends:

* ``hf`` — lm-eval's transformers backend, given the randomly initialised model object (created
  on the device; nothing is written to disk);
* ``vllm`` — lm-eval's vLLM backend with ``load_format=dummy`` (vLLM's random weights) on a folder
  holding only the config and the tokenizer;
* ``inspect-vllm`` — Inspect's vLLM provider on the same folder (``-M load_format=dummy``).

Per task × backend it prints items, requests per item, prompt and generated tokens per item,
load and evaluation seconds, items/s, tokens/s, GPU utilisation (mean of ``nvidia-smi`` samples
every 0.5 s while evaluating; ``n/a`` on CPU), peak memory (GPU: ``torch.cuda.max_memory_allocated``;
CPU: the process's peak RSS) and, with ``--peak-tflops``, the compute bound ``2 × parameters ×
tokens / peak FLOP/s`` and how many times slower than it the run was. Each backend runs in its own
subprocess (a GPU holds one engine at a time).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ARCHITECTURES = Path(__file__).parent / "architectures"
BACKENDS = ("hf", "vllm", "inspect-vllm")


def architecture(name: str) -> dict:
    path = Path(name) if name.endswith(".json") else ARCHITECTURES / f"{name}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in ARCHITECTURES.glob("*.json")))
        raise SystemExit(f"no architecture {name!r}: give a JSON config path or one of {known}")
    return json.loads(path.read_text())


def model_config(options):
    """The transformers config: the architecture, its vocabulary widened to the tokenizer's."""
    from transformers import AutoConfig, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(options.tokenizer)
    shape = architecture(options.arch)
    shape["vocab_size"] = max(int(shape["vocab_size"]), len(tokenizer))
    kind = shape.pop("model_type")
    config = AutoConfig.for_model(kind, **shape)
    config.eos_token_id = tokenizer.eos_token_id
    config.pad_token_id = tokenizer.pad_token_id
    return config, tokenizer


def parameter_count(config) -> int:
    """Parameters of a decoder of this shape (embeddings and head included)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def weightless_folder(config, tokenizer) -> Path:
    """A model folder with the config and tokenizer only (vLLM's ``load_format=dummy``)."""
    folder = Path(tempfile.mkdtemp(prefix="cultureval-arch-"))
    config.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


class GpuSampler:
    """Mean GPU utilisation from ``nvidia-smi`` every 0.5 s (None without one)."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.available = shutil.which("nvidia-smi") is not None

    def _run(self):
        while not self._stop.wait(0.5):
            try:
                out = subprocess.run(
                    ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                    capture_output=True,
                    text=True,
                    timeout=5,
                ).stdout
                self.samples.append(float(out.split()[0]))
            except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
                pass

    def __enter__(self):
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()

    @property
    def mean(self) -> float | None:
        return sum(self.samples) / len(self.samples) if self.samples else None


def peak_memory_gb(device: str) -> float:
    if device.startswith("cuda"):
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux


def count_tokens(tokenizer, samples: list[dict]) -> tuple[int, int, int]:
    """(requests, prompt tokens, generated tokens) of lm-eval's logged samples."""
    requests = prompt = generated = 0
    for sample in samples:
        for arguments, responses in zip(sample["arguments"], sample["resps"]):
            requests += 1
            context, second = (arguments["arg_0"], arguments["arg_1"]) if isinstance(arguments, dict) else arguments[:2]
            prompt += len(tokenizer(context, add_special_tokens=False)["input_ids"])
            if isinstance(second, str):  # a scored continuation
                prompt += len(tokenizer(second, add_special_tokens=False)["input_ids"])
            else:
                text = responses[0] if isinstance(responses, list) else responses
                generated += len(tokenizer(str(text), add_special_tokens=False)["input_ids"])
    return requests, prompt, generated


def lm_eval_rows(backend: str, options, config, tokenizer) -> list[dict]:
    import lm_eval
    import torch
    from lm_eval.tasks import TaskManager

    from cultureval.paths import tasks_dir

    started = time.perf_counter()
    if backend == "hf":
        from lm_eval.models.huggingface import HFLM
        from transformers import AutoModelForCausalLM

        dtype = getattr(torch, options.dtype) if options.dtype != "auto" else torch.bfloat16
        torch.manual_seed(0)
        with torch.device(options.device):
            model = AutoModelForCausalLM.from_config(config, torch_dtype=dtype)
        model.eval()
        batch = int(options.batch_size) if str(options.batch_size).isdigit() else options.batch_size
        lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=batch, device=options.device)
    else:
        from lm_eval.api.registry import get_model

        folder = weightless_folder(config, tokenizer)
        args = [
            f"pretrained={folder}",
            "load_format=dummy",
            f"dtype={'bfloat16' if options.dtype == 'auto' else options.dtype}",
            f"max_model_len={options.max_model_len}",
        ]
        if options.device == "cpu":
            args.append("enforce_eager=True")
        lm = get_model("vllm").create_from_arg_string(",".join(args), {"batch_size": "auto"})
    load_seconds = time.perf_counter() - started
    manager = TaskManager(include_path=str(tasks_dir()))
    rows = []
    for task in options.tasks.split(","):
        with GpuSampler() as gpu:
            started = time.perf_counter()
            output = lm_eval.simple_evaluate(
                model=lm,
                tasks=[task],
                limit=options.limit or None,
                apply_chat_template=tokenizer.chat_template is not None,
                gen_kwargs=f"max_gen_toks={options.max_gen_toks}" if options.max_gen_toks else None,
                log_samples=True,
                task_manager=manager,
                batch_size=options.batch_size,
            )
            seconds = time.perf_counter() - started
        samples = output["samples"][task]
        requests, prompt, generated = count_tokens(tokenizer, samples)
        rows.append(
            {
                "backend": f"lm-eval {backend}",
                "task": task,
                "items": len(samples),
                "requests": requests,
                "prompt_tokens": prompt,
                "generated_tokens": generated,
                "load_s": load_seconds,
                "eval_s": seconds,
                "gpu_util": gpu.mean,
                "peak_gb": peak_memory_gb(options.device),
            }
        )
    return rows


def inspect_rows(options, config, tokenizer) -> list[dict]:
    from inspect_ai import eval as inspect_eval

    folder = weightless_folder(config, tokenizer)
    rows = []
    for task in options.tasks.split(","):
        with GpuSampler() as gpu:
            started = time.perf_counter()
            [log] = inspect_eval(
                f"cultureval/{task}",
                model=f"vllm/{folder}",
                model_args={"load_format": "dummy", "max_model_len": options.max_model_len},
                limit=options.limit or None,
                max_tokens=options.max_gen_toks or None,
                display="none",
                log_dir=tempfile.mkdtemp(prefix="cultureval-inspect-"),
            )
            seconds = time.perf_counter() - started
        usage = log.stats.model_usage if log.stats else {}
        prompt = sum(u.input_tokens for u in usage.values())
        generated = sum(u.output_tokens for u in usage.values())
        n = len(log.samples or [])
        rows.append(
            {
                "backend": "inspect vllm",
                "task": task,
                "items": n,
                "requests": n,  # one generate call per sample (the sampled tasks: n per sample)
                "prompt_tokens": prompt,
                "generated_tokens": generated,
                "load_s": 0.0,  # the server start is inside eval_s
                "eval_s": seconds,
                "gpu_util": gpu.mean,
                "peak_gb": None,
            }
        )
    return rows


def measure(backend: str, options) -> list[dict]:
    config, tokenizer = model_config(options)
    if backend == "inspect-vllm":
        rows = inspect_rows(options, config, tokenizer)
    else:
        rows = lm_eval_rows(backend, options, config, tokenizer)
    parameters = parameter_count(config)
    for row in rows:
        row["parameters"] = parameters
    return rows


def _cell(value, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def table(rows: list[dict], peak_tflops: float | None) -> str:
    header = (
        f"{'backend':<14} {'task':<28} {'items':>6} {'req/item':>8} {'prompt tok/item':>15} {'gen tok/item':>12} "
        f"{'load s':>7} {'eval s':>8} {'items/s':>8} {'tok/s':>9} {'GPU %':>6} {'peak GB':>8} {'bound s':>8} {'x bound':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        n = max(r["items"], 1)
        tokens = r["prompt_tokens"] + r["generated_tokens"]
        bound = 2 * r["parameters"] * tokens / (peak_tflops * 1e12) if peak_tflops else None
        lines.append(
            f"{r['backend']:<14} {r['task']:<28} {r['items']:>6} {r['requests'] / n:>8.1f} "
            f"{r['prompt_tokens'] / n:>15.1f} {r['generated_tokens'] / n:>12.1f} {r['load_s']:>7.1f} "
            f"{r['eval_s']:>8.1f} {r['items'] / r['eval_s']:>8.2f} {tokens / r['eval_s']:>9.0f} "
            f"{_cell(r['gpu_util'], '6.0f'):>6} {_cell(r['peak_gb'], '8.2f'):>8} {_cell(bound, '8.3g'):>8} "
            f"{_cell(r['eval_s'] / bound if bound else None, '7.1f'):>7}"
        )
    if rows:
        lines.append(f"model: {rows[0]['parameters'] / 1e9:.3f} B parameters (random weights)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="tiny-qwen2", help="a config in benchmarks/architectures/ or a JSON path")
    parser.add_argument("--tokenizer", required=True, help="a tokenizer folder (no Hub access needed)")
    parser.add_argument("--tasks", default="global_opinion_jsd_6c")
    parser.add_argument("--backends", default="hf", help=f"comma-separated: {', '.join(BACKENDS)}")
    parser.add_argument("--limit", type=int, default=10, help="items per task; 0 = all")
    parser.add_argument("--device", default="cuda", help="cuda or cpu")
    parser.add_argument("--dtype", default="auto", help="auto (bfloat16), float32, float16")
    parser.add_argument("--batch-size", default="8", help="lm-eval HF batch size (vLLM batches itself)")
    parser.add_argument("--max-gen-toks", type=int, default=0, help="cap generated tokens (0 = the task's setting)")
    parser.add_argument("--max-model-len", type=int, default=4096)
    parser.add_argument("--peak-tflops", type=float, help="the device's peak FLOP/s in TFLOP/s, for the compute bound")
    parser.add_argument("--json", help="also write the measurements here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args()
    unknown = [b for b in options.backends.split(",") if b not in BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}; known: {', '.join(BACKENDS)}")
    architecture(options.arch)  # a clear error before any subprocess

    if options.worker:  # the subprocess: one JSON line for the parent
        print("CULTUREVAL_GPU_BENCHMARK " + json.dumps(measure(options.worker, options)), flush=True)
        return 0

    rows = []
    for backend in options.backends.split(","):
        child = subprocess.run(
            [sys.executable, os.path.abspath(__file__), *sys.argv[1:], "--worker", backend],
            capture_output=True,
            text=True,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("CULTUREVAL_GPU_BENCHMARK ")]
        if child.returncode != 0 or not lines:
            sys.stderr.write(child.stderr[-5000:])
            print(f"{backend}: failed (exit {child.returncode}), its stderr is above", file=sys.stderr)
            return 1
        rows += json.loads(lines[-1].removeprefix("CULTUREVAL_GPU_BENCHMARK "))
    print(table(rows, options.peak_tflops))
    if options.json:
        Path(options.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

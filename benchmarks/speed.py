"""Speed of cultureval's paths per task kind, side by side in one run, against a hand-written
transformers loop on the same items, prompts and model and against the compute bound; then
the pack's own overhead. Prints tables; asserts nothing (tests/test_speed_benchmark.py checks
its numbers on a tiny model).

    # here (CPU): SmolLM2, the log-probability task, 100 items, 3 interleaved rounds
    python benchmarks/speed.py --model "$(cultureval smollm2)" --kinds logprob --limit 100 --repeats 3
    # every kind on a few items, generation capped at 32 tokens
    python benchmarks/speed.py --model "$(cultureval smollm2)" --limit 8 --max-gen-toks 32
    # the pack's overhead only (no model): start-up, imports, data + scoring, report
    python benchmarks/speed.py --overhead-only
    # a GPU: Qwen2.5-7B shapes with random weights, every installed backend: benchmarks/gpu_run.sh

Paths (``--paths``): ``hand`` and ``hand-full`` (``speed_paths``: a transformers loop, logits
at the last position only / at every position, the model's default, as lm-eval computes them),
``lm-eval-hf`` (lm-eval's HF backend on the same model object), ``inspect-hf`` (Inspect's
``hf`` provider on the same weights: option letters from the first token's ``top_logprobs``),
``lm-eval-vllm`` and
``inspect-vllm`` (``speed_vllm``, each in its own process; skipped with a printed line where
vLLM is not installed). Kinds (``--kinds``): ``logprob`` (global_opinion_jsd_6c), ``generation``
(global_opinion_cot_6c), ``sampling`` (global_opinion_sampled_6c), ``judged``
(wvs_polarity_en: its answers; the judge is an HTTP endpoint and is not timed).

The in-process paths run in ``--repeats`` interleaved rounds (the order reversed every other
round, so a machine's drift falls on all of them); ``eval s`` is the fastest round and
``x hand`` the median over rounds of the path's time divided by ``hand``'s in the same round.
The compute bound is ``2 x parameters x tokens / peak FLOP/s`` with tokens = each item's
prompt once plus its generated tokens, and the peak measured in this run with a large matrix
product in the model's dtype on the device (``--peak-tflops`` overrides it). Agreement: every
path against ``hand`` on the same items — per-item option distributions and JS distances to
1e-3 (log-probabilities), identical greedy texts and mean JS distance to 1e-3 (generation),
mean JS distance within three standard errors (sampling: different random streams).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed_items import KIND_TASKS, Items, build_items, task_manager
from speed_report import IN_PROCESS, agreement_lines, print_table
from speed_vllm import VLLM_PATHS, vllm_installed

ARCHITECTURES = Path(__file__).parent / "architectures"
PATHS = IN_PROCESS + VLLM_PATHS
WORKER_MARK = "CULTUREVAL_SPEED "
JUDGED_INSPECT = (
    "judged: Inspect paths skipped (an Inspect judged task grades inside the same eval, with the "
    "model itself as grader when none is given: not the same work as generating the answers)"
)


def architecture(name: str) -> dict:
    path = Path(name) if name.endswith(".json") else ARCHITECTURES / f"{name}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in ARCHITECTURES.glob("*.json")))
        raise SystemExit(f"no architecture {name!r}: give a JSON config path or one of {known}")
    return json.loads(path.read_text())


def random_model_folder(options, dtype) -> Path:
    """A model of ``--arch``'s shapes with seeded random weights, written with the tokenizer to
    a temporary folder: every path (vLLM's included) loads the same weights from it."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(options.tokenizer)
    shape = architecture(options.arch)
    shape["vocab_size"] = max(int(shape["vocab_size"]), len(tokenizer))
    config = AutoConfig.for_model(shape.pop("model_type"), **shape)
    config.eos_token_id, config.pad_token_id = tokenizer.eos_token_id, tokenizer.pad_token_id
    torch.manual_seed(options.seed)
    with torch.device(options.device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    folder = Path(tempfile.mkdtemp(prefix=f"cultureval-speed-{options.arch}-"))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    del model
    if options.device.startswith("cuda"):
        torch.cuda.empty_cache()
    return folder


def measured_peak_tflops(device: str, dtype, size: int | None = None, rounds: int = 3) -> float:
    """The best of ``rounds`` timings of square matrix products in ``dtype`` on ``device``."""
    import torch

    size = size or (8192 if device.startswith("cuda") else 2048)
    a = torch.randn(size, size, dtype=dtype, device=device)
    b = torch.randn(size, size, dtype=dtype, device=device)
    products = 10 if device.startswith("cuda") else 2
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    a @ b
    sync()
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(products):
            a @ b
        sync()
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 * products / best / 1e12


class GpuSampler:
    """Mean GPU utilisation from ``nvidia-smi`` every 0.5 s while evaluating (None without one)."""

    def __init__(self):
        import shutil
        import threading

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


def load_model(model_path: str, options, dtype):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(options.seed)
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype).to(options.device).eval()
    return model, tokenizer


def _path_runner(path: str, model, tokenizer, items: Items, options, model_path: Path):
    """A function of no arguments that runs ``path`` once on ``items`` and returns its Run."""
    from lm_eval.models.huggingface import HFLM
    from speed_paths import (
        ForwardCounter,
        inspect_evaluate,
        inspect_hf_model,
        inspect_run,
        inspect_task_args,
        lm_eval_hf,
        run_hand,
    )

    if path == "lm-eval-hf":
        lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=options.batch_size, device=options.device)
        manager = task_manager()
        return lambda: lm_eval_hf(lm, manager, items, options.chat, options.max_gen_toks, options.seed)
    if path == "inspect-hf":
        inspect_model = inspect_hf_model(
            str(model_path), items, options.chat, options.device, options.dtype, options.batch_size
        )
        task_args = inspect_task_args(items, options.chat, options.max_gen_toks)

        def run_inspect():
            with ForwardCounter(inspect_model.api.model) as counter:
                seconds, log = inspect_evaluate(inspect_model, items, task_args)
            run = inspect_run("inspect-hf", log, items, seconds)
            run.forward_calls, run.fed_tokens = counter.calls, counter.tokens
            return run

        return run_inspect
    return lambda: run_hand(model, tokenizer, items, options.batch_size, path == "hand-full", options.seed)


def _row(path: str, items: Items, done: list) -> dict:
    last = done[-1]
    return {
        "path": path,
        "kind": items.kind,
        "task": items.task,
        "times": [run.seconds for run in done],
        "load_s": 0.0,
        "forward_calls": last.forward_calls,
        "fed_tokens": last.fed_tokens,
        "per_item": last.per_item,
        "prompts": last.prompts,
        "gpu_util": last.notes.get("gpu_util"),
        "notes": last.notes,
    }


def run_in_process(model, tokenizer, kinds: list[Items], options, model_path: Path) -> list[dict]:
    """The paths of this process, interleaved over ``--repeats`` rounds after one untimed
    warm-up batch (first-call costs: kernels chosen, buffers allocated)."""
    from speed_paths import run_hand

    rows = []
    for items in kinds:
        lists = {k: v[: options.batch_size] for k, v in items.__dict__.items() if isinstance(v, list)}
        run_hand(model, tokenizer, Items(**{**items.__dict__, **lists}), options.batch_size, False, options.seed)
        paths = [p for p in options.paths if p in IN_PROCESS and (p != "hand-full" or items.choices)]
        if items.kind == "judged" and "inspect-hf" in paths:
            paths.remove("inspect-hf")
            print(JUDGED_INSPECT, flush=True)
        runners = {path: _path_runner(path, model, tokenizer, items, options, model_path) for path in paths}
        runs: dict[str, list] = {path: [] for path in paths}
        for round_index in range(options.repeats):
            for path in paths if round_index % 2 == 0 else list(reversed(paths)):
                with GpuSampler() as gpu:
                    run = runners[path]()
                run.notes["gpu_util"] = gpu.mean
                runs[path].append(run)
        rows += [_row(path, items, done) for path, done in runs.items()]
    return rows


def run_workers(model_path: Path, kinds: list[Items], options) -> list[dict]:
    """Each vLLM path in its own process; an uninstalled backend is skipped with a line."""
    wanted = [p for p in options.paths if p in VLLM_PATHS]
    if wanted and not vllm_installed():
        print(f"skipped {', '.join(wanted)}: vLLM is not installed in this environment", flush=True)
        return []
    rows = []
    spec = {
        "model_path": str(model_path),
        "dtype": options.dtype,
        "device": options.device,
        "max_model_len": options.max_model_len,
        "gpu_memory_utilization": options.gpu_memory_utilization,
        "seed": options.seed,
        "repeats": options.repeats,
        "chat": options.chat,
        "max_gen_toks": options.max_gen_toks,
        "items": [items.__dict__ for items in kinds],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    for path in wanted:
        child = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--worker", path, "--spec", handle.name],
            capture_output=True,
            text=True,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith(WORKER_MARK)]
        if child.returncode != 0 or not lines:
            sys.stderr.write(child.stderr[-5000:])
            print(f"{path}: failed (exit {child.returncode}); its stderr is above", flush=True)
            continue
        rows += json.loads(lines[-1].removeprefix(WORKER_MARK))
    return rows


def worker(path: str, spec_file: str) -> int:
    from speed_vllm import inspect_vllm_runs, lm_eval_vllm_runs

    spec = json.loads(Path(spec_file).read_text())
    kinds = [Items(**items) for items in spec["items"]]
    run = lm_eval_vllm_runs if path == "lm-eval-vllm" else inspect_vllm_runs
    print(WORKER_MARK + json.dumps(run(spec, kinds, GpuSampler)), flush=True)
    return 0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    model = parser.add_mutually_exclusive_group()
    model.add_argument("--model", help="a transformers model folder (real weights), e.g. $(cultureval smollm2)")
    model.add_argument("--arch", help="random weights of a config in benchmarks/architectures/ (or a JSON path)")
    parser.add_argument("--tokenizer", help="with --arch: a tokenizer folder (no Hub access needed)")
    parser.add_argument("--kinds", default=",".join(KIND_TASKS), help=f"comma-separated: {', '.join(KIND_TASKS)}")
    parser.add_argument("--task", action="append", default=[], help="KIND=TASK: another task for a kind")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"comma-separated: {', '.join(PATHS)}")
    parser.add_argument("--limit", type=int, default=10, help="items per kind; 0 = all")
    parser.add_argument("--kind-limit", action="append", default=[], help="KIND=N: another limit for one kind")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved rounds of every path")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when available)")
    parser.add_argument("--dtype", default=None, help="default: the cpu_smollm2 run config's on CPU, bfloat16 on GPU")
    parser.add_argument("--batch-size", type=int, default=None, help="transformers paths (default: the run config's)")
    parser.add_argument("--chat", action="store_true", help="apply the chat template (default: plain rendering)")
    parser.add_argument("--max-gen-toks", type=int, default=0, help="cap generated tokens (0 = the task's setting)")
    parser.add_argument("--max-model-len", type=int, default=4096)
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.85)
    parser.add_argument("--peak-tflops", type=float, help="the device's peak (default: measured in this run)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overhead", action=argparse.BooleanOptionalAction, default=True, help="the pack overhead")
    parser.add_argument("--overhead-only", action="store_true")
    parser.add_argument("--report-samples", type=int, default=50_000, help="samples for the report timing")
    parser.add_argument("--json", help="also write every measurement here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    options.paths = [p.strip() for p in options.paths.split(",") if p.strip()]
    options.kinds = [k.strip() for k in options.kinds.split(",") if k.strip()]
    unknown = [p for p in options.paths if p not in PATHS] + [k for k in options.kinds if k not in KIND_TASKS]
    if unknown:
        parser.error(f"unknown path(s) or kind(s): {', '.join(unknown)}")
    if options.arch and not options.tokenizer:
        parser.error("--arch needs --tokenizer")
    return options


def run_defaults(options) -> None:
    """Device, dtype and batch size: the ``cultureval run`` config's (cpu_smollm2) on CPU."""
    import torch

    from cultureval.run_configs import load_lm_eval_config

    options.device = options.device or ("cuda" if torch.cuda.is_available() else "cpu")
    config = load_lm_eval_config("cpu_smollm2")
    on_cpu = options.device == "cpu"
    options.dtype = options.dtype or (config["model_args"]["dtype"] if on_cpu else "bfloat16")
    options.batch_size = options.batch_size or (int(config["batch_size"]) if on_cpu else 64)


def measure_models(options) -> dict:
    import torch

    run_defaults(options)
    dtype = getattr(torch, options.dtype)
    model_path = Path(options.model) if options.model else random_model_folder(options, dtype)
    peak = options.peak_tflops or measured_peak_tflops(options.device, dtype)
    print(f"peak: {peak:.3g} TFLOP/s ({options.dtype} matrix product on {options.device})", flush=True)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    manager = task_manager()
    kinds = []
    for kind in options.kinds:
        task = dict(entry.split("=", 1) for entry in options.task).get(kind, KIND_TASKS[kind])
        limit = int(dict(entry.split("=", 1) for entry in options.kind_limit).get(kind, options.limit))
        items = build_items(kind, task, limit or None, tokenizer, options.chat, manager)
        if options.max_gen_toks and items.generation:
            items.generation["max_gen_toks"] = min(options.max_gen_toks, int(items.generation["max_gen_toks"]))
        kinds.append(items)
    rows = run_workers(model_path, kinds, options)  # before the transformers model takes the GPU
    started = time.perf_counter()
    model, tokenizer = load_model(str(model_path), options, dtype)
    load_seconds = time.perf_counter() - started
    rows += run_in_process(model, tokenizer, kinds, options, model_path)
    for row in rows:
        row["load_s"] = row["load_s"] or load_seconds
    parameters = sum(p.numel() for p in model.parameters())
    return {"rows": rows, "kinds": kinds, "tokenizer": tokenizer, "parameters": parameters, "peak_tflops": peak}


def main(argv=None) -> int:
    options = parse_args(argv)
    if options.worker:
        return worker(options.worker, options.spec)
    output: dict = {"options": {k: v for k, v in vars(options).items() if k not in ("worker", "spec")}}
    if not options.overhead_only:
        if not (options.model or options.arch):
            raise SystemExit("give --model or --arch (or --overhead-only)")
        measured = measure_models(options)
        print_table(measured, options)
        print("\n".join(agreement_lines(measured)), flush=True)
        output["peak_tflops"] = measured["peak_tflops"]
        output["parameters"] = measured["parameters"]
        output["rows"] = measured["rows"]
    if options.overhead or options.overhead_only:
        from speed_overhead import overhead_lines

        print("\npack overhead (no model):", flush=True)
        output["overhead"] = {}
        for line in overhead_lines(options.report_samples, output["overhead"]):
            print(f"  {line}", flush=True)
    if options.json:
        Path(options.json).write_text(json.dumps(output, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

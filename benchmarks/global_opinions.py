"""GlobalOpinionQA benchmark: prints numbers, asserts nothing.

(a) load + expand + score time for the whole GlobalOpinionQA file (target <= 2 s): parse the
    CSV, build one doc per (question, country), score each doc from simulated log-likelihoods
    through the same ``process_results`` lm-eval calls.
(b) model forward passes per scored item with lm-eval's HF backend (target 1, not one per
    option), counted with a forward hook on SmolLM2-135M-Instruct.

    CULTUREVAL_DATA_DIR=../shared/data python benchmarks/global_opinions.py [--items 40]
"""

from __future__ import annotations

import argparse
import random
import time


def bench_load_and_score() -> None:
    from cultureval.metrics import country_sim_std
    from cultureval.tasks.global_opinions import lm_eval_hooks, loader

    start = time.perf_counter()
    loaded = loader.load()
    loaded_at = time.perf_counter()
    rng = random.Random(0)
    total = 0.0
    for doc in loaded.docs:
        results = [(rng.uniform(-8, 0), False) for _ in range(doc["n_options"])]
        total += lm_eval_hooks.process_results(doc, results)["jsd"]
    aggregate = country_sim_std([(d["country"], 0.5) for d in loaded.docs])
    end = time.perf_counter()
    n_questions = len({d["question_id"] for d in loaded.docs})
    print(f"(a) data: {loaded.source.location} (sha256 {loaded.source.sha256[:12]}, skipped {loaded.source.skipped})")
    print(f"    {n_questions} questions -> {len(loaded.docs)} (question, country) docs")
    print(
        f"    load + expand: {loaded_at - start:.3f} s; score: {end - loaded_at:.3f} s; total {end - start:.3f} s (target <= 2 s)"
    )
    print(f"    mean simulated jsd {total / len(loaded.docs):.3f}; country_sim_std {aggregate:.3f}")


def bench_forward_passes(items: int, batch_sizes: list[int]) -> None:
    import lm_eval
    import torch
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from cultureval.models import ensure_smollm2
    from cultureval.paths import tasks_dir

    model_path = ensure_smollm2()
    manager = TaskManager(include_path=str(tasks_dir()), include_defaults=False)
    for batch_size in batch_sizes:
        device = "cuda" if torch.cuda.is_available() else "cpu"
        lm = HFLM(pretrained=str(model_path), batch_size=batch_size, dtype="float32", device=device)
        calls = {"n": 0}
        lm.model.register_forward_pre_hook(lambda *_, calls=calls: calls.__setitem__("n", calls["n"] + 1))
        start = time.perf_counter()
        results = lm_eval.simple_evaluate(
            model=lm, tasks=["global_opinion_jsd"], limit=items, task_manager=manager, log_samples=True
        )
        elapsed = time.perf_counter() - start
        samples = results["samples"]["global_opinion_jsd"]
        options = sum(len(s["resps"]) for s in samples)
        print(
            f"(b) HF backend, batch_size={batch_size}: {len(samples)} items, {options} option letters, "
            f"{calls['n']} forward passes -> {calls['n'] / len(samples):.2f} per item "
            f"(target <= 1); {len(samples) / elapsed:.1f} items/s on this machine"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=40, help="items for the forward-pass count")
    parser.add_argument("--batch-sizes", default="1,8")
    parser.add_argument("--skip-model", action="store_true", help="only (a)")
    args = parser.parse_args()
    bench_load_and_score()
    if not args.skip_model:
        bench_forward_passes(args.items, [int(b) for b in args.batch_sizes.split(",")])


if __name__ == "__main__":
    main()

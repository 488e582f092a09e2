"""Run-identity benchmark: what recording a run's identity costs, beside what the run's own
preparation costs. Prints numbers, asserts nothing.

(a) per task: loading the documents (what every run does) vs fingerprinting them in lm-eval
    (``CulturevalTask.record_identity``: ``docs_sha256`` + ``prompt_sha256``) and building
    Inspect's samples (content ids + fingerprints), on the real data;
(b) the content fingerprint of a model folder (SmolLM2-135M-Instruct, ~540 MB): first call,
    and the memoised repeat every further task of a run gets.

    CULTUREVAL_DATA_DIR=../shared/data python benchmarks/identity.py [--tasks global_opinion_jsd,cali_nli_us]
"""

from __future__ import annotations

import argparse
import time


def _lm_eval_task(name: str):
    from lm_eval.tasks import TaskManager

    from cultureval.paths import tasks_dir

    task = TaskManager(include_path=str(tasks_dir()), include_defaults=False).load_task_or_group([name])
    while isinstance(task, dict):
        task = next(iter(task.values()))
    return task


def bench_documents(tasks: list[str]) -> None:
    from cultureval.definitions import task_definition
    from cultureval.inspect_tasks import doc_samples

    print("(a) task                          docs   load s   lm-eval identity s   Inspect load+samples+identity s")
    for name in tasks:
        start = time.perf_counter()
        task = _lm_eval_task(name)  # loads the documents, as every lm-eval run does
        loaded = time.perf_counter()
        task.config.num_fewshot = 0
        task.record_identity(apply_chat_template=False)
        fingerprinted = time.perf_counter()
        doc_samples(task_definition(name))
        inspected = time.perf_counter()
        n = task.config.metadata["cultureval"]["n_docs"]
        print(
            f"    {name:<30} {n:>6}   {loaded - start:6.2f}   {fingerprinted - loaded:18.3f}   "
            f"{inspected - fingerprinted:29.3f}"
        )


def bench_folder() -> None:
    from cultureval import identity
    from cultureval.models import ensure_smollm2

    folder = ensure_smollm2()
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    identity._folder_fingerprint.cache_clear()
    start = time.perf_counter()
    digest = identity.folder_fingerprint(folder)
    first = time.perf_counter()
    identity.folder_fingerprint(folder)
    again = time.perf_counter()
    print(f"(b) {folder} ({size / 1e6:.0f} MB): sha256 {digest[:12]}")
    print(f"    first call {first - start:.3f} s; memoised {1e3 * (again - first):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="global_opinion_jsd,global_opinion_cot,cali_nli_us,wvs_polarity_en")
    parser.add_argument("--no-model", action="store_true", help="skip (b)")
    options = parser.parse_args()
    bench_documents([t.strip() for t in options.tasks.split(",") if t.strip()])
    if not options.no_model:
        bench_folder()


if __name__ == "__main__":
    main()

"""``culture_shift_rate`` for CALI: a post-step over the logged samples of both cultures' tasks
(it needs two tasks' outputs, so no single harness task can compute it).

Reads lm-eval output folders (``samples_cali_nli_us_*.jsonl`` and ``samples_cali_nli_in_*.jsonl``,
written with ``--log_samples``; lm-eval 0.5 prefixes the group, ``samples_cali_nli::cali_nli_us_*``) and Inspect logs of ``cali_nli_us``/``cali_nli_in``.
"""

from __future__ import annotations

import json
from pathlib import Path

from cultureval.metrics import culture_shift_rate
from cultureval.tasks.cali.loader import LABELS


def _argmax_label(loglikelihoods: list[float]) -> str:
    return LABELS[max(range(len(LABELS)), key=loglikelihoods.__getitem__)]


def predictions_from_lm_eval(folder: Path) -> dict[str, dict[int, tuple[str, dict]]]:
    found: dict[str, dict[int, tuple[str, dict]]] = {"us": {}, "in": {}}
    for culture in found:
        # lm-eval 0.5 names a group's members group::task (samples_cali_nli::cali_nli_us_...)
        paths = {
            *folder.rglob(f"samples_cali_nli_{culture}_*.jsonl"),
            *folder.rglob(f"samples_*::cali_nli_{culture}_*.jsonl"),
        }
        for path in sorted(paths):
            for line in path.read_text().splitlines():
                sample = json.loads(line)
                lls = [float(resp[0][0]) for resp in sample["resps"]]
                found[culture][sample["doc"]["pair_id"]] = (_argmax_label(lls), sample["doc"])
    return found


def predictions_from_inspect(path: Path) -> dict[str, dict[int, tuple[str, dict]]]:
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(path))
    culture = log.eval.task.split("/")[-1].removeprefix("cali_nli_")
    found: dict[str, dict[int, tuple[str, dict]]] = {"us": {}, "in": {}}
    if culture not in found:
        return found
    for sample in log.samples or []:
        if not sample.scores:
            continue
        score = next(iter(sample.scores.values()))
        found[culture][sample.metadata["doc"]["pair_id"]] = (str(score.answer), sample.metadata["doc"])
    return found


def shift_rate(paths: list[Path]) -> dict:
    """Culture shift rate over the contested pairs present in both cultures' outputs."""
    merged: dict[str, dict[int, tuple[str, dict]]] = {"us": {}, "in": {}}
    for path in paths:
        part = predictions_from_lm_eval(path) if path.is_dir() else predictions_from_inspect(path)
        for culture in merged:
            merged[culture].update(part[culture])
    both = sorted(set(merged["us"]) & set(merged["in"]))
    contested = [pair_id for pair_id in both if merged["us"][pair_id][1]["contested"]]
    rows = [
        (merged["us"][p][0], merged["us"][p][1]["majority"], merged["in"][p][0], merged["in"][p][1]["majority"])
        for p in contested
    ]
    return {
        "culture_shift_rate": culture_shift_rate(rows),
        "n_contested": len(rows),
        "n_pairs_in_both": len(both),
        "us_match_rate": sum(r[0] == r[1] for r in rows) / len(rows) if rows else float("nan"),
        "in_match_rate": sum(r[2] == r[3] for r in rows) / len(rows) if rows else float("nan"),
    }

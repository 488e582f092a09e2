"""One run of every task kind, made once per test session for the publishing tests (EEE export,
results site, browser tier): lm-eval on the tiny model (log-probabilities, written-out answers,
sampled answers, a judged task judged by the fake judge), an Inspect log, a baseline, and
``cultureval score`` output; plus a copy of the written-out run whose answers and model name
carry HTML (the site must show them as text)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import run_cli
from fake_judge import FakeJudge
from fixtures import CALI_ROWS

LM_EVAL_TASKS = (
    "global_opinion_jsd_binary",
    "global_opinion_cot_binary",
    "global_opinion_sampled",
    "culturebank_tiktok",
)
# markup a model could write; the site must show it, never run it
HOSTILE_ANSWER = '</pre><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> {0.5, 0.5}'
HOSTILE_MODEL = 'evil"><img src=x onerror="window.__pwned=3">'
OUTSIDE_MODEL = "outside-org/outside-model"  # the model column of the `cultureval score` rows


def _lm_eval(tiny_model: Path, data_dir: Path, root: Path) -> Path:
    out = root / "runs" / "lm-eval"
    args = ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model}"]
    args += ["--tasks", ",".join(LM_EVAL_TASKS), "--output_path", str(out), "--log_samples", "--batch_size", "4"]
    args += ["--gen_kwargs", "max_gen_toks=12"]
    run_cli(args, data_dir, root / "work-lm")
    with FakeJudge() as server:
        run_cli(
            ["cultureval", "judge", str(out), "--judge-model", "fake-judge", "--judge-base-url", server.base_url],
            data_dir,
            root / "work-judge",
            env_extra={"CULTUREVAL_JUDGE_API_KEY": "", "OPENAI_API_KEY": ""},
        )
    return out


def _hostile_copy(lm_eval_out: Path, root: Path) -> None:
    """The written-out run again, under a model folder name with markup, answers replaced by markup."""
    [results_path] = [p for p in lm_eval_out.rglob("results_*.json") if not p.name.startswith("results_judged_")]
    folder = root / "runs" / "hostile" / "model"
    folder.mkdir(parents=True)
    results = json.loads(results_path.read_text())
    task = "global_opinion_cot_binary"
    results["results"] = {task: results["results"][task]}
    results["config"]["model_args"] = f"pretrained=/models/{HOSTILE_MODEL}"
    results.pop("group_subtasks", None)
    stamp = results_path.stem.removeprefix("results_")
    (folder / results_path.name).write_text(json.dumps(results))
    [samples_path] = results_path.parent.glob(f"samples_{task}_{stamp}.jsonl")
    lines = [json.loads(line) for line in samples_path.read_text().splitlines()]
    for line in lines:
        line["filtered_resps"] = [HOSTILE_ANSWER]
        line["resps"] = [[HOSTILE_ANSWER]]
    (folder / samples_path.name).write_text("".join(json.dumps(line) + "\n" for line in lines))


def _score(data_dir: Path, root: Path) -> None:
    rows = []
    for pair_id, _ in enumerate(CALI_ROWS):
        p_e = 0.2 + 0.15 * pair_id
        rows.append({"model": OUTSIDE_MODEL, "pair_id": pair_id, "culture": "us", "p_e": p_e, "p_n": 1 - p_e, "p_c": 0})
    path = root / "outside.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    run_cli(
        ["cultureval", "score", "cali", str(path), "-o", str(root / "runs" / "score")], data_dir, root / "work-score"
    )


def make_runs(tiny_model: Path, data_dir: Path, root: Path) -> list[Path]:
    """Every kind of run under ``root/runs``: the paths to give the commands (one per kind, as
    a user would: lm-eval folders, an Inspect log folder, a baseline, score output)."""
    from test_e2e_global_opinions import inspect_run

    lm_eval_out = _lm_eval(tiny_model, data_dir, root)
    _hostile_copy(lm_eval_out, root)
    inspect_run(tiny_model, data_dir, root / "work-inspect", task="global_opinion_jsd_binary")
    shutil.copytree(root / "work-inspect" / "inspect-logs", root / "runs" / "inspect")
    run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd_binary", "-o", str(root / "runs")],
        data_dir,
        root / "work-baseline",
    )
    # the same baseline on the first 3 items only: not comparable with the full runs
    run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd_binary", "--limit", "3"]
        + ["-o", str(root / "runs" / "limited")],
        data_dir,
        root / "work-baseline",
    )
    _score(data_dir, root)
    names = ("lm-eval", "hostile", "inspect", "baseline__uniform", "limited", "score")
    return [root / "runs" / name for name in names]

"""The ``cultureval`` command.

- ``cultureval run``: the main job: the ``cpu_smollm2`` run config (SmolLM2-135M-Instruct on
  CPU, GlobalOpinionQA's six-country subset) with lm-eval, its options changing it.
- ``cultureval lm-eval ARGS``: run lm-eval with the task folder added to ``--include_path``;
  ``--config NAME`` takes a shipped run config (``configs/lm_eval/NAME.yaml``) or a file,
  with ``${VAR}`` references filled from the environment.
- ``cultureval judge OUTPUTS...``: judge lm-eval's logged samples of the judged families with an
  OpenAI-compatible endpoint; writes ``results_judged_*.json``.
- ``cultureval report RESULTS... -o DIR``: ``report.md`` and figures across lm-eval outputs,
  Inspect logs and baselines.
- ``cultureval baseline KIND --tasks ...``: a reference model's scores in lm-eval's format.
- ``cultureval cali-shift OUTPUTS...``: CALI's culture_shift_rate from both cultures' outputs.
- ``cultureval score FAMILY FILE``: re-score per-item outputs produced elsewhere.
- ``cultureval binary-settings OUTPUTS...``: does the setting (classification, reasoning, open
  conversation) change the verdict? The three-setting binary study's cross-setting comparison.
- ``cultureval export-sft OUTPUTS... -o train.jsonl``: chat-format SFT data from the chain-of-
  thought answers of GlobalOpinionQA runs whose JS distance is below ``--max-jsd``.
- ``cultureval tasks``: every task with its family, harnesses, kind, items and cost per item.

Every command that produces metrics ends with a table of them beside the family's yardsticks
(:mod:`cultureval.run_summary`, :func:`cultureval.report_tools.metrics_table`).
- ``cultureval smollm2``: download and convert SmolLM2-135M-Instruct once; print its folder.
- ``cultureval tasks-dir`` / ``cultureval configs-dir``: print the installed task / config folder.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from cultureval.paths import tasks_dir

LM_EVAL_COMMANDS = ("run", "ls", "validate")
BASELINE_KINDS = [
    "uniform",
    "us-prior",
    "survey-resample",
    "country-blind",
    "never-entail",
    "always-entail",
    "other-culture",
]
SCORE_HELP = """Re-score per-item outputs produced elsewhere with the tasks' own metric code.
An optional `model` (or `model_name`) column splits the rows by model. Columns:
  global_opinions  question, country, and distribution (JSON list, one value per option in the
                   dataset's order) or text (a written answer); --task names the subset
  cali             pair_id (0-based row of the CALI file) or premise + hypothesis, culture
                   (us/in), p_e, p_n, p_c
  wvs_polarity     language, question_key, and response_pro_score or n_pro + n_con; optional
                   response_language, template_type
Rows that match no item are counted per reason and reported on stderr."""
BASELINE_HELP = """Reference "models", scored by the task's own code and written as lm-eval output:
  GlobalOpinionQA (global_opinion_* tasks)
    uniform          every option equally likely: what knowing nothing scores
    us-prior         the United States' answers for every other country (US items left out)
    survey-resample  --n respondents drawn from each country's own survey: the sampling floor
    country-blind    the question's cross-country mean distribution for every country
  CALI (cali_nli_us, cali_nli_in)
    never-entail     P(E) = 0: the floor of macro_f1_binary and of the published tuned F1
    always-entail    P(E) = 1
    other-culture    the other culture's majority label"""
RUN_CONFIG = "cpu_smollm2"  # what `cultureval run` runs
EXAMPLES = """examples:
  cultureval run                                   SmolLM2 on CPU, GlobalOpinionQA 6 countries
  cultureval run --model-path ./my-model --tasks global_opinion_jsd_6c,cali_nli_us --limit 50
  cultureval tasks                                 every task: harnesses, kind, items, cost per item
  cultureval lm-eval run --model vllm --model_args pretrained=org/model --tasks global_opinion_jsd \\
      --output_path results/                       any lm-eval command, with the task folder added
  inspect eval cultureval/global_opinion_jsd_6c --model openai/gpt-4o-mini --max-connections 20
  cultureval judge results/ --judge-config "$(cultureval configs-dir)/judge/vllm_local.yaml"
  cultureval baseline uniform --tasks global_opinion_jsd_6c -o results/
  cultureval report results/ logs/ -o report/      report.md, figures, summary.csv/.json
  cultureval score cali outputs.csv                re-score another tool's per-item outputs

`cultureval COMMAND --help` explains each command; the README has the rest."""


def lm_eval_argv(args: list[str], config_folder: Path | None = None) -> list[str]:
    """lm-eval's argv with cultureval's tasks folder as ``--include_path``; a ``--config``
    is resolved and written into ``config_folder``, which the caller owns and removes
    (:func:`run_lm_eval` uses a temporary folder for the run's length); without one a
    ``--config`` is an error rather than a file left behind.

    lm-eval takes a single include folder on its command line; to combine cultureval's tasks
    with your own, call ``lm_eval`` with ``TaskManager(include_path=[...])`` from Python.
    """
    args = list(args)
    command = args.pop(0) if args and args[0] in LM_EVAL_COMMANDS else "run"
    if any(arg == "--include_path" or arg.startswith("--include_path=") for arg in args):
        raise SystemExit(
            "cultureval lm-eval adds --include_path itself and lm-eval's command line takes only one; "
            f'call lm_eval directly with --include_path "{tasks_dir()}" instead'
        )
    return ["lm-eval", command, "--include_path", str(tasks_dir()), *_resolve_config_args(args, config_folder)]


def _resolve_config_args(args: list[str], config_folder: Path | None) -> list[str]:
    """``--config NAME``: a file or a shipped ``configs/lm_eval`` config, with its ``${VAR}``
    references expanded (see :mod:`cultureval.run_configs`)."""
    from cultureval.run_configs import RunConfigError, materialize_lm_eval_config

    resolved = []
    index = 0
    while index < len(args):
        arg = args[index]
        name = None
        if arg in ("--config", "-C") and index + 1 < len(args):
            name, index = args[index + 1], index + 1
        elif arg.startswith("--config="):
            name = arg.split("=", 1)[1]
        if name is None:
            resolved.append(arg)
        else:
            if config_folder is None:
                raise ValueError("lm_eval_argv: --config needs a config_folder to write the resolved config into")
            try:
                resolved += ["--config", str(materialize_lm_eval_config(name, config_folder))]
            except RunConfigError as error:
                raise SystemExit(f"cultureval lm-eval: {error}") from error
        index += 1
    return resolved


def run_lm_eval(args: list[str]) -> int:
    """lm-eval with cultureval's tasks; for ``run``: checks before the model loads
    (:mod:`cultureval.preflight`), then lm-eval's own table, then cultureval's with yardsticks."""
    import time

    from lm_eval.__main__ import cli_evaluate

    from cultureval.preflight import PreflightError, prepare_run
    from cultureval.run_summary import print_run_summary

    with tempfile.TemporaryDirectory(prefix="cultureval-config-") as folder:
        argv = lm_eval_argv(args, Path(folder))
        request = None
        if argv[1] == "run":
            try:
                request = prepare_run(argv[4:])
            except PreflightError as error:
                print(f"cultureval: {error}", file=sys.stderr)
                return 2
        sys.argv = argv
        started = time.time()
        status = int(cli_evaluate() or 0)
    if request is not None and request.output_path and status == 0:
        print_run_summary(Path(request.output_path), started)
    return status


def run_job_config(
    model_path: str,
    tasks: str | None = None,
    limit: float | None = None,
    output_path: str | None = None,
    batch_size: str | None = None,
) -> dict:
    """The lm-eval config of ``cultureval run``: the ``cpu_smollm2`` run config with the model
    folder and any option given."""
    from cultureval.run_configs import load_lm_eval_config

    config = load_lm_eval_config(RUN_CONFIG)
    config["model_args"]["pretrained"] = model_path
    if tasks:
        config["tasks"] = [task.strip() for task in tasks.split(",") if task.strip()]
    for key, value in (("limit", limit), ("output_path", output_path), ("batch_size", batch_size)):
        if value is not None:
            config[key] = value
    return config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cultureval",
        description="Cultural-alignment evaluations (GlobalOpinionQA, WVS value polarity, CALI, CultureBank) "
        "for lm-evaluation-harness and Inspect: run, judge, score and report.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tasks-dir", help="print the installed lm-eval task folder")
    sub.add_parser("configs-dir", help="print the installed folder of run and judge configs")
    sub.add_parser("lm-eval", help="run lm-eval with the cultureval tasks on --include_path")
    sub.add_parser("smollm2", help="prepare SmolLM2-135M-Instruct and print its folder")
    shift = sub.add_parser("cali-shift", help="CALI culture_shift_rate from lm-eval output folders / Inspect logs")
    shift.add_argument("outputs", nargs="+", help="lm-eval --output_path folders or Inspect .eval logs")
    settings = sub.add_parser(
        "binary-settings",
        help="the three-setting binary study: do classification, reasoning and open conversation agree?",
    )
    settings.add_argument("outputs", nargs="+", help="lm-eval --output_path folders (judged) or Inspect logs")
    settings.add_argument("--json", action="store_true", help="print the comparison as JSON")
    settings.add_argument("--items-csv", help="write the per-item verdicts to this CSV file")
    sft = sub.add_parser(
        "export-sft", help="chat-format SFT data from global_opinion_cot* answers with a low JS distance"
    )
    sft.add_argument("outputs", nargs="+", help="lm-eval --output_path folders (--log_samples) or Inspect logs")
    sft.add_argument("-o", "--output", required=True, help="the JSONL file to write")
    sft.add_argument("--max-jsd", type=float, default=0.15, help="keep answers with JS distance below this (0.15)")
    sft.add_argument(
        "--exclude-task",
        action="append",
        help="never export items of this task's dataset (repeatable; default: global_opinion_cot_6c); "
        "'none' excludes nothing",
    )
    judge = sub.add_parser(
        "judge",
        help="judge lm-eval's logged samples of wvs_polarity_* / culturebank_* with an OpenAI-compatible endpoint",
    )
    judge.add_argument("outputs", nargs="+", help="lm-eval --output_path folders (or results_*.json files)")
    judge.add_argument(
        "--judge-config", help="YAML with model, base_url, api_key_env, concurrency, ... (configs/judge/)"
    )
    judge.add_argument("--judge-model", help="judge model name (else config, else $CULTUREVAL_JUDGE_MODEL)")
    judge.add_argument(
        "--judge-base-url", help="e.g. http://localhost:8000/v1 (else config, else $CULTUREVAL_JUDGE_BASE_URL)"
    )
    judge.add_argument("--concurrency", type=int, help="parallel judge requests (default 8)")
    judge.add_argument(
        "--judge-allow-insecure-key",
        action="store_true",
        help="send the API key over plain HTTP to another machine (by default it is sent only over "
        "https or to a loopback address)",
    )
    judge.add_argument("--no-cache", action="store_true", help="ignore and do not write the on-disk judge cache")
    judge.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and split-half draws")
    report = sub.add_parser("report", help="report.md and figures across models from lm-eval outputs and Inspect logs")
    report.add_argument(
        "results", nargs="+", help="lm-eval --output_path folders, Inspect log files or folders, baselines"
    )
    report.add_argument("-o", "--output", required=True, help="folder for report.md and the PNG figures")
    baseline = sub.add_parser(
        "baseline",
        help="write a reference model's scores in lm-eval's results format",
        description=BASELINE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    baseline.add_argument("kind", choices=BASELINE_KINDS)
    baseline.add_argument("--tasks", default="global_opinion_jsd", help="comma-separated tasks of the kind's family")
    baseline.add_argument("-o", "--output", default="results", help="output folder (default ./results)")
    baseline.add_argument("--n", type=int, default=100, help="respondents per survey-resample draw (default 100)")
    baseline.add_argument("--seed", type=int, default=0)
    baseline.add_argument("--limit", type=int, default=None, help="score the first N items only, as lm-eval --limit")
    run = sub.add_parser(
        "run", help=f"evaluate a model with lm-eval (the {RUN_CONFIG} run config) and print the metrics"
    )
    run.add_argument("--model-path", help="transformers model folder or Hub id (default: SmolLM2-135M-Instruct)")
    run.add_argument("--tasks", help=f"comma-separated tasks (default: the {RUN_CONFIG} config's)")
    run.add_argument("--limit", type=float, default=None, help="items per task (lm-eval --limit)")
    run.add_argument("--output-path", help=f"lm-eval --output_path (default: the {RUN_CONFIG} config's, ./results)")
    run.add_argument("--batch-size", help=f"lm-eval --batch_size (default: the {RUN_CONFIG} config's)")
    score = sub.add_parser(
        "score",
        help="re-score outputs produced elsewhere (CSV or JSONL) with cultureval's metric code",
        description=SCORE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument("family", choices=["global_opinions", "cali", "wvs_polarity"])
    score.add_argument("file", help="CSV (header line) or JSONL (.jsonl) of per-item outputs")
    score.add_argument("--task", help="GlobalOpinionQA: the task whose items the rows are (default global_opinion_jsd)")
    score.add_argument("--json", action="store_true", help='print {"<model>": {"<task>": {"<metric>": value}}}')
    score.add_argument("--seed", type=int, default=0, help="seed of bootstrap and random-baseline draws")
    listing = sub.add_parser("tasks", help="list every task: family, harnesses, kind, items, cost per item")
    listing.add_argument("--no-items", action="store_true", help="do not load the data to count items")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "lm-eval":  # pass everything after it through untouched
        return run_lm_eval(argv[1:])

    options = build_parser().parse_args(argv)
    if options.command == "tasks":
        import logging as _logging

        from cultureval.task_list import format_rows, task_rows

        _logging.getLogger("cultureval").setLevel(_logging.ERROR)  # skip counts are not the point here
        print(format_rows(task_rows(count_items=not options.no_items)))
        return 0
    if options.command == "score":
        return _score(options)

    if options.command == "tasks-dir":
        print(tasks_dir())
        return 0
    if options.command == "configs-dir":
        from cultureval.paths import configs_dir

        print(configs_dir())
        return 0
    if options.command in ("report", "baseline"):
        return _report_or_baseline(options)
    if options.command == "cali-shift":
        import json

        from cultureval.tasks.cali.shift import shift_rate

        result = shift_rate([Path(p) for p in options.outputs])
        print(json.dumps(result, indent=2))
        return 0 if result["n_pairs_in_both"] else 1
    if options.command == "binary-settings":
        return _binary_settings(options)
    if options.command == "export-sft":
        return _export_sft(options)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if options.command == "judge":
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
        return _judge(options)
    from cultureval.models import ensure_smollm2

    if options.command == "smollm2":
        print(ensure_smollm2())
        return 0
    from cultureval.run_configs import RunConfigError, write_lm_eval_config

    model_path = options.model_path or str(ensure_smollm2())
    try:
        config = run_job_config(model_path, options.tasks, options.limit, options.output_path, options.batch_size)
    except RunConfigError as error:
        raise SystemExit(f"cultureval run: {error}") from error
    with tempfile.TemporaryDirectory(prefix="cultureval-run-") as folder:
        return run_lm_eval(["run", "--config", str(write_lm_eval_config(config, Path(folder), RUN_CONFIG))])


def _binary_settings(options) -> int:
    import csv
    import json

    from cultureval.metrics.aggregate import nan_to_none
    from cultureval.tasks.binary_settings.compare import CompareInputError, compare, format_comparison, read_values

    try:
        result = compare(read_values([Path(p) for p in options.outputs]))
    except (CompareInputError, ValueError) as error:
        raise SystemExit(f"cultureval binary-settings: {error}") from None
    if options.items_csv:
        with open(options.items_csv, "w", newline="", encoding="utf-8") as handle:
            columns = list(result["items"][0]) if result["items"] else ["item"]
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in result["items"])
    if options.json:
        cleaned = json.loads(json.dumps(result, default=str), parse_constant=lambda _: None)
        print(json.dumps({k: v for k, v in cleaned.items() if k != "items"}, indent=2, default=nan_to_none))
    else:
        print(format_comparison(result))
    return 0 if result["n_common_items"] else 1


def _export_sft(options) -> int:
    from cultureval.data_source import DataFileError
    from cultureval.tasks.global_opinions import export_sft

    exclude_tasks = options.exclude_task or list(export_sft.DEFAULT_EXCLUDE)
    exclude_tasks = [] if exclude_tasks == ["none"] else exclude_tasks
    try:
        answers = export_sft.read_answers([Path(p) for p in options.outputs])
        exported = export_sft.export(answers, options.max_jsd, export_sft.excluded_items(exclude_tasks))
    except (export_sft.ExportInputError, DataFileError, KeyError) as error:
        raise SystemExit(f"cultureval export-sft: {error}") from None
    export_sft.write_jsonl(exported.rows, Path(options.output))
    counts = exported.counts
    print(
        f"{len(answers)} answers read: {counts['kept']} kept (JS distance < {options.max_jsd:g}), "
        f"{counts['excluded']} excluded (items of {', '.join(exclude_tasks) or 'no task'}), "
        f"{counts['above_threshold']} above the threshold, {counts['unreadable']} unreadable, "
        f"{counts['empty']} empty, {counts['prompt_mismatch']} whose logged prompt did not match"
    )
    print(f"wrote {options.output}")
    return 0 if counts["kept"] else 1


def _report_or_baseline(options) -> int:
    from cultureval.data_source import DataFileError
    from cultureval.report import ReportInputError

    try:
        if options.command == "report":
            from cultureval.report import write_report

            path = write_report([Path(p) for p in options.results], Path(options.output))
        else:
            from cultureval.baselines import write_baseline

            tasks = [t.strip() for t in options.tasks.split(",") if t.strip()]
            path = write_baseline(
                options.kind, tasks, Path(options.output), n=options.n, seed=options.seed, limit=options.limit
            )
    except (ReportInputError, DataFileError, ValueError, KeyError, OSError) as error:
        print(f"cultureval {options.command}: {error}", file=sys.stderr)
        return 2
    if options.command == "baseline":
        from cultureval.run_summary import task_tables

        print(f"baseline {options.kind}: metrics, direction, and the other yardsticks on the same items\n")
        print("\n\n".join(task_tables(path)))
        print(f"\n(results: {path})")
    else:
        print(path)
    return 0


def _score(options) -> int:
    import json

    from cultureval.data_source import DataFileError
    from cultureval.score import read_rows, score_rows

    try:
        rows = read_rows(Path(options.file))
        scores, unmatched, tables = score_rows(options.family, rows, options.task, seed=options.seed, yardsticks=True)
    except (DataFileError, ValueError, KeyError) as error:
        print(f"cultureval score: {error}", file=sys.stderr)
        return 2
    for model, by_task in unmatched.items():
        for task, reasons in by_task.items():
            shown = ", ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
            print(f"cultureval score: {model}: {task or 'no task'}: unmatched rows ({shown})", file=sys.stderr)
    if options.json:
        print(json.dumps(scores, indent=2))
    else:
        from cultureval.report_tools import metrics_table

        for model, by_task in scores.items():
            for task, metrics in by_task.items():
                print(
                    f"\n{model} / {task}: {metrics['n_rows_scored']} rows scored, {metrics['n_rows_unmatched']} unmatched"
                )
                found = metrics.get("yardsticks") or {}
                shown = {key: value for key, value in metrics.items() if key != "yardsticks"}
                print(metrics_table(task, shown, found, table=tables[task], n=metrics["n_rows_scored"]))
    matched = sum(m.get("n_rows_scored", 0) for by_task in scores.values() for m in by_task.values())
    if not matched:
        print(f"cultureval score: no row of {options.file} matched an item", file=sys.stderr)
        return 2
    return 0


def _judge(options) -> int:
    from dataclasses import replace

    from cultureval.families import family_of
    from cultureval.judge import JudgeConfig
    from cultureval.judge_outputs import JudgeInputError, judge_outputs
    from cultureval.report_tools import metrics_table

    try:
        config = JudgeConfig.from_file(options.judge_config) if options.judge_config else JudgeConfig()
        overrides = {
            "model": options.judge_model,
            "base_url": options.judge_base_url,
            "concurrency": options.concurrency,
            "allow_insecure_key": options.judge_allow_insecure_key,
        }
        config = replace(config, **{key: value for key, value in overrides.items() if value})
        judged = judge_outputs(
            [Path(p) for p in options.outputs], config, cache_enabled=not options.no_cache, seed=options.seed
        )
    except (JudgeInputError, ValueError, OSError) as error:
        print(f"cultureval judge: {error}", file=sys.stderr)
        return 2
    for run in judged:
        print(f"\n{run.path}: {run.n_judged} of {run.n_items} items judged")
        for task, info in run.results["cultureval_judge"]["tasks"].items():
            metrics = {k.split(",")[0]: v for k, v in run.results["results"][task].items() if "," in k}
            failures = ", ".join(f"{kind} {count}" for kind, count in info["failures"].items()) or "none"
            print(f"\n{task}: failures {failures}; {info['cache_hits']} from the cache")
            owner = family_of(task)
            yardsticks = owner.yardsticks(task, [], run.records[task]) if owner and owner.yardsticks else {}
            print(metrics_table(task, metrics, yardsticks, n=info["n_samples"]))
    if not any(run.n_judged for run in judged):
        total = sum(run.n_items for run in judged)
        print(
            f"cultureval judge: every judgement failed ({total} items; the failure kinds are above and under "
            "cultureval_judge in the judged results files): is the judge endpoint up and the model name right?",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

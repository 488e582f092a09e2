"""The ``cultureval`` command.

- ``cultureval run``: the main job: the ``cpu_smollm2`` run config (SmolLM2-135M-Instruct on
  CPU, GlobalOpinionQA's six-country subset) with lm-eval, its options changing it.
- ``cultureval inspect eval ARGS``: Inspect's ``inspect eval`` after cultureval's checks of the
  tasks, model folders, data, task options and ``--limit`` (:mod:`cultureval.inspect_preflight`).
- ``cultureval lm-eval ARGS``: run lm-eval with the task folder added to ``--include_path``;
  ``--config NAME`` takes a shipped run config (``configs/lm_eval/NAME.yaml``) or a file,
  with ``${VAR}`` references filled from the environment.
- ``cultureval judge OUTPUTS...``: judge lm-eval's logged samples of the judged families with an
  OpenAI-compatible endpoint; writes ``results_judged_*.json``.
- ``cultureval report RESULTS... -o DIR``: ``report.md`` and figures across lm-eval outputs,
  Inspect logs and baselines; ``--site DIR``: a static results site over the same runs.
- ``cultureval export RESULTS... -o DIR``: Every Eval Ever records of the runs.
- ``cultureval baseline KIND --tasks ...``: a reference model's scores in lm-eval's format (the
  kinds are the families' :class:`~cultureval.families.Baseline` s).
- ``cultureval score FAMILY FILE``: re-score per-item outputs produced elsewhere (the families
  with a ``rescore`` hook).
- ``cultureval tasks``: every task with its family, harnesses, kind, items and cost per item.
- the families' own commands (``Family.commands``, each family's ``commands.py``), e.g.
  ``cultureval cali-shift``, ``cultureval binary-settings``, ``cultureval export-sft``.

This module knows no family by name: every family list (commands, baseline kinds, ``score``
choices, help texts) comes from the family registry (:mod:`cultureval.families`).

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
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from cultureval.errors import INPUT_ERROR_EXIT, NOTHING_PRODUCED_EXIT, InputError, NothingProduced, one_line
from cultureval.paths import tasks_dir

LM_EVAL_COMMANDS = ("run", "ls", "validate")
RUN_CONFIG = "cpu_smollm2"  # what `cultureval run` runs
EXAMPLES = """examples:
  cultureval run                                   SmolLM2 on CPU, GlobalOpinionQA 6 countries
  cultureval run --model-path ./my-model --tasks global_opinion_jsd_6c,cali_nli_us --limit 50
  cultureval tasks                                 every task: harnesses, kind, items, cost per item
  cultureval lm-eval run --model vllm --model_args pretrained=org/model --tasks global_opinion_jsd \\
      --output_path results/                       any lm-eval command, with the task folder added
  cultureval inspect eval cultureval/global_opinion_jsd_6c --model openai/gpt-4o-mini --max-connections 20
                                                   Inspect, after cultureval's checks
  cultureval judge results/ --judge-config "$(cultureval configs-dir)/judge/vllm_local.yaml"
  cultureval baseline uniform --tasks global_opinion_jsd_6c -o results/
  cultureval report results/ logs/ -o report/      report.md, figures, summary.csv/.json
  cultureval score cali outputs.csv                re-score another tool's per-item outputs

`cultureval COMMAND --help` explains each command; the README has the rest."""


SCORE_HELP = """Re-score per-item outputs produced elsewhere with the tasks' own metric code.
An optional `model` (or `model_name`) column splits the rows by model. Columns:
{columns}
Each row is counted under one reason (JSON: "rows"). A distribution that does not fit its item
(wrong length, empty, negative) is an unreadable answer of the model: distance 1.0 in the strict
metrics of a written-answer task (global_opinion_cot*), an error naming the line for an
option-probability task; CALI probabilities likewise. Rows that match no item (no_such_item,
duplicate: the same item again from the same model, only the first counts) are reported on
stderr and left out."""
BASELINE_HELP = """Reference "models", scored by the task's own code and written as lm-eval output:
{kinds}"""
# generic commands: a family command of the same name is refused when the parser is built
GENERIC_COMMANDS = (
    "tasks-dir",
    "configs-dir",
    "lm-eval",
    "inspect",
    "smollm2",
    "judge",
    "report",
    "export",
    "baseline",
    "run",
    "score",
    "tasks",
)


def _indented(text: str, indent: int, width: int = 96) -> str:
    import textwrap

    return textwrap.fill(text, width, initial_indent=" " * indent, subsequent_indent=" " * indent)


def score_help() -> str:
    """``cultureval score --help``: each family with a ``rescore`` hook and its columns."""
    from cultureval.families import families

    columns = [
        f"  {owner.name}\n{_indented(owner.rescore.columns, 4)}" for owner in families() if owner.rescore is not None
    ]
    return SCORE_HELP.format(columns="\n".join(columns))


def baseline_kinds() -> list[str]:
    """Every baseline kind some family offers, in family order."""
    from cultureval.families import families

    return list(dict.fromkeys(baseline.kind for owner in families() for baseline in owner.baselines))


def baseline_help() -> str:
    """``cultureval baseline --help``: per family (with its tasks) its kinds and what each is."""
    from cultureval.definitions import task_folders, task_names
    from cultureval.families import families

    folders = task_folders()
    blocks = []
    for owner in families():
        if not owner.baselines:
            continue
        tasks = [task for task in task_names() if folders[task] == owner.name]
        lines = [f"  {owner.title}", _indented(", ".join(tasks), 4)]
        lines += [f"    {baseline.kind:<16} {baseline.about}" for baseline in owner.baselines]
        blocks.append("\n".join(lines))
    return BASELINE_HELP.format(kinds="\n".join(blocks))


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
        raise InputError(
            "cultureval lm-eval adds --include_path itself and lm-eval's command line takes only one; "
            f'call lm_eval directly with --include_path "{tasks_dir()}" instead'
        )
    return ["lm-eval", command, "--include_path", str(tasks_dir()), *_resolve_config_args(args, config_folder)]


def _resolve_config_args(args: list[str], config_folder: Path | None) -> list[str]:
    """``--config NAME``: a file or a shipped ``configs/lm_eval`` config, with its ``${VAR}``
    references expanded (see :mod:`cultureval.run_configs`)."""
    from cultureval.run_configs import materialize_lm_eval_config

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
            resolved += ["--config", str(materialize_lm_eval_config(name, config_folder))]
        index += 1
    return resolved


def run_lm_eval(args: list[str]) -> int:
    """lm-eval with cultureval's tasks; for ``run``: checks before the model loads
    (:mod:`cultureval.preflight`), then lm-eval's own table, then cultureval's with yardsticks."""
    import time
    from contextlib import nullcontext

    from lm_eval.__main__ import cli_evaluate

    from cultureval.lm_eval_compat import without_default_tasks
    from cultureval.preflight import only_cultureval_tasks, prepare_run
    from cultureval.run_summary import print_run_summary

    with tempfile.TemporaryDirectory(prefix="cultureval-config-") as folder:
        argv = lm_eval_argv(args, Path(folder))
        # checks before the model loads; a PreflightError is bad input (exit 2, one line)
        request = prepare_run(argv[4:]) if argv[1] == "run" else None
        sys.argv = argv
        started = time.time()
        # cultureval's tasks only: lm-eval need not index its own 14,700 (issue 30)
        only_ours = request is not None and only_cultureval_tasks(request.tasks)
        with without_default_tasks() if only_ours else nullcontext(), lost_results() as lost:
            status = int(cli_evaluate() or 0)
    if request is not None and request.output_path and status == 0:
        check_saved(Path(request.output_path), started, lost)
        print_run_summary(Path(request.output_path), started)
        print_judge_step(request)
    elif request is not None and status == 0 and request.tasks:
        # lm-eval kept its results in memory only: nothing for cultureval to read back
        print(
            "\ncultureval: no yardstick table: lm-eval saved no results; add --output_path DIR (and "
            "--log_samples) to see each metric beside the family's yardsticks on the same items"
        )
    return status


@contextmanager
def lost_results():
    """Collects lm-eval's "Could not save ..." warnings (and the reason it logs after them):
    lm-eval catches the error, warns and exits 0, so the work would be lost silently."""

    class Collect(logging.Handler):
        def __init__(self):
            super().__init__(logging.INFO)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if "Could not save" in message or (self.messages and record.levelno == logging.INFO):
                self.messages.append(message)

    handler = Collect()
    tracker = logging.getLogger("lm_eval.loggers.evaluation_tracker")
    tracker.addHandler(handler)
    try:
        yield handler.messages
    finally:
        tracker.removeHandler(handler)


def check_saved(output_path: Path, since: float, lost: list[str]) -> None:
    """:class:`~cultureval.errors.NothingProduced` (exit 1) when lm-eval could not write the
    results of a run that asked for them (``--output_path``); its table above is all there is."""
    if output_path.suffix == ".json":  # lm-eval writes <stem>_<date>.json beside it
        candidates = output_path.parent.glob(f"{output_path.stem}_*.json") if output_path.parent.is_dir() else []
    else:
        candidates = output_path.rglob("results_*.json") if output_path.is_dir() else []
    written = [path for path in candidates if path.stat().st_mtime >= since - 1]
    if lost or not written:
        reason = "; ".join(lost) if lost else f"no results file under {output_path}"
        raise NothingProduced(
            f"lm-eval could not save the results under {output_path} ({reason}); the numbers above are all "
            "that is left: fix the folder and rerun (with --use_cache PATH a rerun reuses the answers)"
        )


def print_judge_step(request) -> None:
    """After an lm-eval run of judged tasks: the ``cultureval judge`` command that scores them."""
    from cultureval.families import judge_of
    from cultureval.paths import configs_dir
    from cultureval.preflight import expand_tasks

    judged = [task for task in expand_tasks(request.tasks) if judge_of(task) is not None]
    if not judged:
        return
    folder = request.output_path
    print(
        f"\ncultureval: {', '.join(judged)} are generated, not yet scored: a judge model scores them. Next, with a "
        "judge served by `vllm serve JUDGE --port 8000`:\n"
        f'  cultureval judge {folder} --judge-config "{configs_dir() / "judge" / "vllm_local.yaml"}"\n'
        "or with a hosted judge (key in $OPENAI_API_KEY):\n"
        f"  cultureval judge {folder} --judge-model gpt-4o-mini --judge-base-url https://api.openai.com/v1\n"
        "(which judges are fit: README, Judges)"
    )


def named_tasks(tasks: str) -> list[str]:
    """The tasks of a ``--tasks`` value (comma-separated); :class:`InputError` when it names none
    (``--tasks ""``: not the default job, run unasked)."""
    named = [task.strip() for task in tasks.split(",") if task.strip()]
    if not named:
        raise InputError(f"--tasks {tasks!r}: names no task (cultureval tasks lists them)")
    return named


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
    if tasks is not None:
        config["tasks"] = named_tasks(tasks)
    for key, value in (("limit", limit), ("output_path", output_path), ("batch_size", batch_size)):
        if value is not None:
            config[key] = value
    return config


# cultureval run's options beside the run config's: (its option, lm-eval's flag, takes a value)
RUN_PASSTHROUGH = (
    ("apply_chat_template", "--apply_chat_template", False),
    ("gen_kwargs", "--gen_kwargs", True),
    ("use_cache", "--use_cache", True),
    ("metadata", "--metadata", True),
)


def run_job_argv(options, extra: Sequence[str] = ()) -> list[str]:
    """The ``cultureval lm-eval`` arguments of ``cultureval run``: the ``cpu_smollm2`` run config
    (:func:`run_job_config`) written out as flags, the run's own options over it, then
    ``extra`` (lm-eval options ``cultureval run`` does not take). ``cultureval run`` runs exactly
    this; ``--print-command`` prints it."""
    from cultureval.models import ensure_smollm2
    from cultureval.preflight import check_limit

    limit = check_limit(options.limit) if options.limit is not None else None  # before any download
    if options.tasks is not None:
        named_tasks(options.tasks)
    model_path = options.model_path or str(ensure_smollm2())
    config = run_job_config(model_path, options.tasks, limit, options.output_path, options.batch_size)
    model_args = ",".join(f"{key}={value}" for key, value in config["model_args"].items())
    argv = ["run", "--model", str(config["model"]), "--model_args", model_args]
    argv += ["--tasks", ",".join(config["tasks"])]
    if options.device:
        config["device"] = options.device
    for key in ("device", "batch_size", "output_path", "limit"):
        value = config.get(key)
        if value is not None:
            argv += [f"--{key}", f"{value:g}" if isinstance(value, float) else str(value)]
    if config.get("log_samples"):
        argv.append("--log_samples")
    for attribute, flag, takes_value in RUN_PASSTHROUGH:
        value = getattr(options, attribute, None)
        if value not in (None, False):
            argv += [flag, value] if takes_value else [flag]
    return argv + list(extra)


def lm_eval_command(argv: list[str]) -> str:
    """``cultureval lm-eval ARGV`` as one line to paste into a shell."""
    import shlex

    return shlex.join(["cultureval", "lm-eval", *argv])


def run_job(options, unknown: list[str]) -> int:
    """``cultureval run``: lm-eval with the run's arguments (:func:`run_job_argv`); with
    ``--print-command`` the equivalent ``cultureval lm-eval`` command is printed, not run; an
    lm-eval option ``cultureval run`` does not take is refused with that command, the option in it."""
    argv = run_job_argv(options, unknown)
    if unknown:
        raise InputError(
            f"{' '.join(unknown)}: not an option of cultureval run (`cultureval run --help` lists them); for "
            f"lm-eval's options run the same job through cultureval lm-eval: {lm_eval_command(argv)}"
        )
    if options.print_command:
        print(lm_eval_command(argv))
        return 0
    print(f"cultureval run: {lm_eval_command(argv)}", flush=True)  # the same job, for lm-eval's other options
    return run_lm_eval(argv)


def build_parser() -> argparse.ArgumentParser:
    """The ``cultureval`` command line: the generic commands, then every family's own
    (:func:`add_family_commands`)."""
    from cultureval.families import families

    titles = ", ".join(owner.title for owner in families())
    parser = argparse.ArgumentParser(
        prog="cultureval",
        description=f"Cultural-alignment evaluations ({titles}) for lm-evaluation-harness and Inspect: "
        "run, judge, score and report.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tasks-dir", help="print the installed lm-eval task folder")
    sub.add_parser("configs-dir", help="print the installed folder of run and judge configs")
    sub.add_parser("lm-eval", help="run lm-eval with the cultureval tasks on --include_path")
    sub.add_parser(
        "inspect",
        help="Inspect's command line; `cultureval inspect eval ...` checks tasks, model folders, data, options and "
        "--limit before the model loads",
    )
    sub.add_parser("smollm2", help="prepare SmolLM2-135M-Instruct and print its folder")
    judged = ", ".join(owner.title for owner in families() if owner.judge is not None)
    judge = sub.add_parser(
        "judge", help=f"judge lm-eval's logged samples ({judged}) with an OpenAI-compatible endpoint"
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
    judge.add_argument(
        "--judge-trust-env",
        action="store_true",
        help="use the proxy and CA settings of the environment (HTTP_PROXY, HTTPS_PROXY, SSL_CERT_FILE, ...); by "
        "default the judge is reached directly, so no request or key passes through a proxy",
    )
    judge.add_argument("--no-cache", action="store_true", help="ignore and do not write the on-disk judge cache")
    judge.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and split-half draws")
    report = sub.add_parser("report", help="report.md and figures across models from lm-eval outputs and Inspect logs")
    report.add_argument(
        "results", nargs="+", help="lm-eval --output_path folders, Inspect log files or folders, baselines"
    )
    report.add_argument("-o", "--output", help="folder for report.md and the PNG figures (required without --site)")
    report.add_argument("--site", help="also write a static results site into this folder (cultureval.site)")
    export = sub.add_parser("export", help="write Every Eval Ever (schema 0.3.0) records of the runs")
    export.add_argument("results", nargs="+", help="lm-eval output folders, Inspect logs, baselines, score output")
    export.add_argument("-o", "--output", required=True, help="folder for the records (EEE's data/ layout)")
    from cultureval.publish import add_export_arguments

    add_export_arguments(export, required=True)
    add_export_arguments(report, required=False)
    compare = sub.add_parser(
        "compare",
        help="is model A better than model B? the paired per-item difference per task, with its 95%% interval",
    )
    compare.add_argument("results", nargs="+", help="lm-eval output folders and Inspect logs holding both models' runs")
    compare.add_argument(
        "--models", nargs=2, metavar=("A", "B"), required=True, help="the two models, as the report names them"
    )
    baseline = sub.add_parser(
        "baseline",
        help="write a reference model's scores in lm-eval's results format",
        description=baseline_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    baseline.add_argument("kind", choices=baseline_kinds())
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
    run.add_argument("--limit", default=None, help="items per task, or a fraction below 1 (lm-eval --limit)")
    run.add_argument("--output-path", help=f"lm-eval --output_path (default: the {RUN_CONFIG} config's, ./results)")
    run.add_argument("--batch-size", help=f"lm-eval --batch_size (default: the {RUN_CONFIG} config's)")
    run.add_argument(
        "--apply-chat-template",
        "--apply_chat_template",
        action="store_true",
        help="render prompts with the model's chat template (lm-eval --apply_chat_template; generative tasks on "
        "chat models need it)",
    )
    run.add_argument(
        "--gen-kwargs", "--gen_kwargs", help="generation settings, e.g. max_gen_toks=256 (lm-eval --gen_kwargs)"
    )
    run.add_argument("--device", help=f"e.g. cuda:0 (lm-eval --device; default: the {RUN_CONFIG} config's, cpu)")
    run.add_argument(
        "--use-cache",
        "--use_cache",
        metavar="PATH",
        help="keep every answer in this sqlite cache (lm-eval --use_cache): rerun the same command after an "
        "interruption and finished answers are reused; one model per PATH",
    )
    run.add_argument(
        "--metadata",
        help='task options as JSON, e.g. \'{"countries": ["Brazil", "Japan"]}\' (lm-eval --metadata)',
    )
    run.add_argument(
        "--print-command",
        action="store_true",
        help="print the equivalent `cultureval lm-eval` command instead of running it (for lm-eval's other options)",
    )
    score = sub.add_parser(
        "score",
        help="re-score outputs produced elsewhere (CSV or JSONL) with cultureval's metric code",
        description=score_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument("family", choices=[owner.name for owner in families() if owner.rescore is not None])
    score.add_argument("file", help="CSV (header line) or JSONL (.jsonl) of per-item outputs")
    score.add_argument("--task", help="the family's task whose items the rows are (see the columns above)")
    score.add_argument("--json", action="store_true", help='print {"<model>": {"<task>": {"<metric>": value}}}')
    score.add_argument(
        "--column",
        action="append",
        metavar="NAME=COLUMN",
        help="read the file's COLUMN as NAME (repeatable), e.g. distribution=llm_distribution",
    )
    score.add_argument("--seed", type=int, default=0, help="seed of bootstrap and random-baseline draws")
    score.add_argument(
        "-o", "--output", help="also write the scores in lm-eval's results format here (for report and export)"
    )
    listing = sub.add_parser("tasks", help="list every task: family, harnesses, kind, items, cost per item")
    listing.add_argument("--no-items", action="store_true", help="do not load the data to count items")
    add_family_commands(sub)
    return parser


def add_family_commands(sub) -> None:
    """Every family's own subcommands (``Family.commands``); a name taken twice is refused."""
    from cultureval.families import families

    taken = set(GENERIC_COMMANDS)
    for owner in families():
        for command in owner.commands:
            if command.name in taken:
                raise ValueError(f"cultureval/tasks/{owner.name}/family.py: command {command.name!r} is taken")
            taken.add(command.name)
            parser = sub.add_parser(
                command.name,
                help=command.help,
                description=command.description or command.help,
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            command.add_arguments(parser)
            parser.set_defaults(family_command=command)


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit-code rule of :mod:`cultureval.errors`: 2 and one line on
    stderr for bad input, 1 and one line when the command produced nothing, else 0 (or
    lm-eval's own status)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _main(argv)
    except (InputError, NothingProduced) as error:
        command = f"cultureval {argv[0]}" if argv and not argv[0].startswith("-") else "cultureval"
        print(f"{command}: {one_line(error)}", file=sys.stderr)
        return INPUT_ERROR_EXIT if isinstance(error, InputError) else NOTHING_PRODUCED_EXIT


def _main(argv: list[str]) -> int:
    if argv and argv[0] == "lm-eval":  # pass everything after it through untouched
        return run_lm_eval(argv[1:])
    if argv and argv[0] == "inspect" and argv[1:2] not in (["-h"], ["--help"]):
        from cultureval.inspect_preflight import run_inspect

        return run_inspect(argv[1:])

    if argv in (["tasks-dir"], ["configs-dir"]):
        # answered before the parser is built (it imports every family): lm-eval command lines
        # call `cultureval tasks-dir` on every run
        from cultureval.paths import configs_dir

        print(tasks_dir() if argv == ["tasks-dir"] else configs_dir())
        return 0
    parser = build_parser()
    if argv and argv[0] == "run":  # options cultureval run does not take: answered with the lm-eval command
        options, unknown = parser.parse_known_args(argv)
    else:
        options, unknown = parser.parse_args(argv), []
    family_command = getattr(options, "family_command", None)
    if family_command is not None:
        return family_command.run(options)
    if options.command == "tasks":
        import logging as _logging

        from cultureval.task_list import format_rows, task_rows

        _logging.getLogger("cultureval").setLevel(_logging.ERROR)  # skip counts are not the point here
        notes: list[str] = []
        print(format_rows(task_rows(count_items=not options.no_items, notes=notes)))
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        return 0
    if options.command == "score":
        return _score(options)
    if options.command == "compare":
        from cultureval.compare import compare_command

        return compare_command(options.results, *options.models)

    if options.command == "export" or (options.command == "report" and options.site):
        from cultureval.publish import export_command, site_command

        return export_command(options) if options.command == "export" else site_command(options)
    if options.command == "report" and not options.output:
        build_parser().error("report: give -o DIR (the report) or --site DIR (the results site), or both")
    if options.command in ("report", "baseline"):
        return _report_or_baseline(options)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if options.command == "judge":
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
        return _judge(options)
    from cultureval.models import ensure_smollm2

    if options.command == "smollm2":
        print(ensure_smollm2())
        return 0
    return run_job(options, unknown)


def _report_or_baseline(options) -> int:
    try:
        if options.command == "report":
            from cultureval.report import write_report

            path = write_report([Path(p) for p in options.results], Path(options.output))
        else:
            from cultureval.baselines import write_baseline
            from cultureval.preflight import check_limit

            if options.limit is not None:
                check_limit(options.limit, fractions=False)
            tasks = [t.strip() for t in options.tasks.split(",") if t.strip()]
            path = write_baseline(
                options.kind, tasks, Path(options.output), n=options.n, seed=options.seed, limit=options.limit
            )
    except KeyError as error:  # a task name that is no cultureval task
        raise InputError(str(error.args[0])) from None
    except OSError as error:  # an output folder that cannot be written
        raise InputError(f"{error.filename or options.output}: {error.strerror or error}") from None
    if options.command == "baseline":
        import json

        from cultureval.run_summary import summary_text
        from cultureval.runs import read_runs

        written = json.loads(path.read_text(encoding="utf-8"))
        empty = {
            task: entry for task, entry in written["results"].items() if not written["n-samples"][task]["effective"]
        }
        if empty and len(empty) == len(written["results"]):  # no table of n/a rows: say why, exit 1
            reasons = "; ".join(
                f"{task}: "
                + ", ".join(f"{k.split(',')[0]} {v}" for k, v in entry.items() if k.startswith("n_skipped_"))
                for task, entry in empty.items()
            )
            raise NothingProduced(f"baseline {options.kind} predicted no item ({reasons}); results: {path}")
        print(f"baseline {options.kind}: metrics, direction, and the other yardsticks on the same items\n")
        print(summary_text(read_runs([path])))
    else:
        print(path)
    return 0


def _score(options) -> int:
    import json

    from cultureval.score import format_scored, read_rows, score_file, scores_with_yardsticks

    if options.output:  # before the scoring: an output that cannot be written is said first
        from cultureval.preflight import check_output_path

        check_output_path(options.output, "-o")
    try:
        columns = dict(_column_option(spec) for spec in options.column or [])
        rows = read_rows(Path(options.file), columns)
        if not rows:
            raise InputError(f"{options.file}: no rows to score (an empty file, or a header line only)")
        scored = score_file(options.family, rows, options.task, seed=options.seed)
    except (ValueError, KeyError) as error:  # a data file error (an InputError), an unknown task or column
        raise InputError(str(error)) from None
    for model, by_task in scored.unmatched.items():
        for task, reasons in by_task.items():
            shown = ", ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
            print(f"cultureval score: {model}: {task or 'no task'}: unmatched rows ({shown})", file=sys.stderr)
    matched = sum(m.get("n_rows_scored", 0) for by_task in scored.scores.values() for m in by_task.values())
    if not matched:  # most often columns named otherwise: say which the file has and which are read
        from cultureval.families import family

        found = sorted({str(key) for row in rows for key in row})
        reads = family(options.family).rescore
        raise InputError(
            f"no row of {options.file} matched an item (its columns: {', '.join(found) or 'none'}; "
            f"cultureval score {options.family} reads {reads.columns if reads else 'nothing'}; "
            "--column NAME=COLUMN maps a column of yours to a name read)"
        )
    if options.json:
        print(json.dumps(scores_with_yardsticks(options.family, scored), indent=2))
    else:
        print(format_scored(options.family, scored))
    if options.output:
        from cultureval.score import write_results

        try:
            written, skipped = write_results(
                options.family, scored, Path(options.output), Path(options.file), options.seed
            )
        except OSError as error:  # an output folder that cannot be written
            raise InputError(f"{error.filename or options.output}: {error.strerror or error}") from None
        for name in skipped:
            print(f"cultureval score: {name} is not a cultureval task; its scores are not written", file=sys.stderr)
        print("\n".join(f"wrote {path}" for path in written), file=sys.stderr)
    return 0


def _column_option(spec: str) -> tuple[str, str]:
    name, separator, source = spec.partition("=")
    if not separator or not name.strip() or not source.strip():
        raise ValueError(f"--column {spec!r}: expected NAME=COLUMN, e.g. distribution=llm_distribution")
    return name.strip(), source.strip()


def _judge(options) -> int:
    from dataclasses import replace

    from cultureval.families import family_of
    from cultureval.judge import JudgeConfig
    from cultureval.judge_outputs import judge_outputs, task_problems
    from cultureval.report_tools import metrics_table

    try:
        config = JudgeConfig.from_file(options.judge_config) if options.judge_config else JudgeConfig()
        overrides = {
            "model": options.judge_model,
            "base_url": options.judge_base_url,
            "concurrency": options.concurrency,
            "allow_insecure_key": options.judge_allow_insecure_key,
            "trust_env": options.judge_trust_env,
        }
        config = replace(config, **{key: value for key, value in overrides.items() if value})
        judged = judge_outputs(
            [Path(p) for p in options.outputs], config, cache_enabled=not options.no_cache, seed=options.seed
        )
    except ValueError as error:  # a bad judge config (reading the runs raises InputError itself)
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{error.filename or options.judge_config}: {error.strerror or error}") from None
    for run in judged:
        print(f"\n{run.path}: {run.n_judged} of {run.n_items} items judged")
        for task, info in run.results["cultureval_judge"]["tasks"].items():
            metrics = {k.split(",")[0]: v for k, v in run.results["results"][task].items() if "," in k}
            failures = ", ".join(f"{kind} {count}" for kind, count in info["failures"].items()) or "none"
            print(f"\n{task}: failures {failures}; {info['cache_hits']} from the cache")
            owner = family_of(task)
            yardsticks = owner.yardsticks(task, [], run.records[task]) if owner and owner.yardsticks else {}
            print(metrics_table(task, metrics, yardsticks, n=info["n_samples"]))
    problems = task_problems(judged)
    for problem in problems:
        print(f"cultureval judge: {problem}", file=sys.stderr)
    if not any(run.n_judged for run in judged):
        total = sum(run.n_items for run in judged)
        raise NothingProduced(
            f"every judgement failed ({total} items; the failure kinds are above and under "
            "cultureval_judge in the judged results files): is the judge endpoint up and the model name right?"
        )
    if problems:
        print("cultureval judge: the results are written; rerun to ask again for what failed", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""``cultureval inspect eval ...``: cultureval's checks, then Inspect's own command line.

Inspect builds the models before it creates the tasks (the ``@task`` functions run with the
evaluated model active), so a local ``hf/`` model's weights are loaded before cultureval's task
code can look at anything: a misspelt task then says "No inspect tasks were found", and a
missing model folder or an adapter folder without ``adapter_config.json`` ends in a traceback
of a few hundred lines. ``cultureval inspect eval ARGS`` checks, before any model loads and in
one line each (exit 2):

- each ``cultureval/<task>`` name (a near miss is answered with the name meant);
- each local model, adapter and tokenizer folder (``-M model_path=``, ``-M tokenizer_path=``,
  ``vllm/BASE:ADAPTER``) exists and is one (:func:`cultureval.preflight.check_model_folder`);
- ``--limit`` (``0`` evaluates nothing: :func:`cultureval.preflight.check_limit`; a count that
  would cut the three settings' sampled answers of an item short:
  :func:`cultureval.preflight.check_whole_items`) and the log folder
  (:func:`cultureval.preflight.check_output_path`);
- a task that samples on an ``hf/`` model loaded greedy (``-M do_sample=false``:
  :func:`cultureval.inspect_tasks.greedy_sampling_conflict`);
- each task built as Inspect will build it, from its ``-T`` options: its data (a missing or
  empty data folder, data not available offline), its options (an option the task does not
  take, a country no item has, a rendering value that does not exist).

Then it prints the cost estimate (:func:`cultureval.task_list.cost_lines`) and hands the same
arguments to Inspect's ``inspect`` command. The checks a task can make itself (data, options,
renderings the provider cannot give) also run under a plain ``inspect eval``, after the model
loads (:mod:`cultureval.inspect_tasks`).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cultureval.errors import InputError
from cultureval.preflight import (
    PreflightError,
    check_limit,
    check_model_folder,
    check_output_path,
    check_whole_items,
    documents_per_item,
    limited_count,
)

PREFIX = "cultureval/"
LOCAL_PROVIDERS = ("hf", "vllm", "sglang", "transformers")


@dataclass
class InspectRequest:
    """What an ``inspect eval`` command line asks for (as Inspect's own parser reads it)."""

    tasks: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    model_args: dict = field(default_factory=dict)
    task_args: dict = field(default_factory=dict)
    limit: str | None = None
    log_dir: str | None = None
    sample_id: str | None = None


def parse_eval_args(args: list[str]) -> InspectRequest | None:
    """Inspect's ``eval`` arguments read by Inspect's own parser (``None`` if this Inspect has
    no such parser: then the command goes to Inspect unchecked)."""
    try:
        from inspect_ai._cli.eval import eval_command
        from inspect_ai._util.config import parse_cli_args
    except ImportError:
        return None
    context = eval_command.make_context("eval", list(args), resilient_parsing=True)
    params = context.params
    model_args = {}
    if params.get("model_config"):
        model_args = _config_file(params["model_config"])
    model_args |= parse_cli_args(params.get("m"))
    task_args = _config_file(params["task_config"]) if params.get("task_config") else {}
    task_args |= parse_cli_args(params.get("t"), preserve_quoted_commas=True)
    models = [m.strip() for m in str(params.get("model") or os.environ.get("INSPECT_EVAL_MODEL") or "").split(",")]
    return InspectRequest(
        tasks=list(params.get("tasks") or ()),
        models=[m for m in models if m],
        model_args=model_args,
        task_args=task_args,
        limit=params.get("limit"),
        sample_id=params.get("sample_id"),
        log_dir=params.get("log_dir") or os.environ.get("INSPECT_LOG_DIR") or "./logs",
    )


def _config_file(path: str) -> dict:
    import yaml

    try:
        loaded = yaml.safe_load(Path(path).expanduser().read_text(encoding="utf-8"))
    except OSError as error:
        raise PreflightError(f"{path}: cannot read ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        raise PreflightError(f"{path}: not valid YAML ({' '.join(str(error).split())})") from None
    return loaded if isinstance(loaded, dict) else {}


def cultureval_tasks(names: list[str]) -> list[str]:
    """The cultureval tasks among Inspect task names (``cultureval/<task>``); a name under
    ``cultureval/`` that is no task is refused with the closest names."""
    from cultureval.definitions import renamed_message, task_names

    known = task_names()
    tasks = []
    for name in names:
        if not name.startswith(PREFIX):
            continue  # a file or another package's task: Inspect's to find
        task = name[len(PREFIX) :]
        if task in known:
            tasks.append(task)
            continue
        renamed = renamed_message(task)
        if renamed:
            raise PreflightError(renamed)
        close = difflib.get_close_matches(task, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{PREFIX}{close[0]}'?" if close else ""
        raise PreflightError(f"unknown task {name!r}{hint} (cultureval tasks lists them)")
    return tasks


def _path_like(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~", ".")) or value.count("/") >= 2


def check_models(request: InspectRequest) -> None:
    """Local model, adapter and tokenizer folders exist and are what they are named as."""
    for model in request.models:
        provider, _, name = model.partition("/")
        if provider not in LOCAL_PROVIDERS:
            continue
        path = request.model_args.get("model_path")
        if isinstance(path, str):
            check_model_folder(path, "model", f"-M model_path={path}")
        elif provider != "hf" and ":" in name:  # vllm/BASE:ADAPTER
            base, _, adapter = name.partition(":")
            if _path_like(base):
                check_model_folder(base, "model", f"--model {model}")
            if _path_like(adapter):
                check_model_folder(adapter, "adapter", f"--model {model}")
        elif _path_like(name):
            check_model_folder(name, "model", f"--model {model}")
        tokenizer = request.model_args.get("tokenizer_path")
        if isinstance(tokenizer, str):
            check_model_folder(tokenizer, "tokenizer", f"-M tokenizer_path={tokenizer}")


def _is_false(value) -> bool:
    return value is False or str(value).strip().lower() in ("false", "0", "no")


def build_tasks(
    tasks: list[str], task_args: dict, models: list[str] | None = None, model_args: dict | None = None
) -> dict[str, int]:
    """Build each task as Inspect will (its ``@task`` function with the ``-T`` options it takes):
    its data and options are checked (one line each, :class:`~cultureval.inspect_tasks.TaskRefusal`),
    and a task that samples is refused for an ``hf/`` model loaded greedy (``-M do_sample=false``:
    :func:`~cultureval.inspect_tasks.greedy_sampling_conflict`). Returns each task's number of
    samples."""
    models, model_args = models or [], model_args or {}
    import inspect as introspect

    import cultureval._registry as registry
    from cultureval.inspect_tasks import TaskRefusal, greedy_sampling_conflict

    options = {task: set(introspect.signature(getattr(registry, task)).parameters) for task in tasks}
    for key in task_args:
        if tasks and not any(key in taken for taken in options.values()):
            # Inspect would only warn and run without it: a misspelt -T countries= is a silent no-op
            shown = "; ".join(
                f"{PREFIX}{task}: {', '.join(sorted(taken)) or 'none'}" for task, taken in options.items()
            )
            raise PreflightError(f"-T {key}: no task of this run takes it (options: {shown})")
    counts = {}
    hf_greedy = [m for m in models if m.partition("/")[0] == "hf"] and _is_false(model_args.get("do_sample"))
    for task in tasks:
        function = getattr(registry, task)
        given = {key: value for key, value in task_args.items() if key in options[task]}
        try:
            built = function(**given)
        except TaskRefusal as error:
            raise PreflightError(error.message) from None
        except (InputError, ValueError, TypeError) as error:
            raise PreflightError(f"{PREFIX}{task}: {error}") from None
        conflict = greedy_sampling_conflict(task, (built.metadata or {}).get("generation"), False)
        if hf_greedy and conflict:
            raise PreflightError(conflict)
        counts[task] = len(built.dataset)
    return counts


def check_whole_item_range(task: str, first: int, last: int, per_item: int) -> None:
    """Inspect's ``--limit FIRST-LAST`` (samples FIRST to LAST, 1-based, inclusive) on a task
    with ``per_item`` samples per item in a row must start and end on item boundaries, or an
    item is scored on part of its answers (:class:`PreflightError`, one line)."""
    if (first - 1) % per_item or last % per_item or last < first:
        start = (first - 1) // per_item * per_item + 1
        end = max(start + per_item - 1, -(-last // per_item) * per_item)
        raise PreflightError(
            f"--limit {first}-{last}: {PREFIX}{task} has {per_item} samples per item (one per sampled answer), so "
            f"the range would score an item on part of its answers; give whole items (e.g. --limit {start}-{end})"
        )


def check_eval(args: list[str]) -> str | None:
    """Every check of ``cultureval inspect eval ARGS`` (module docstring) and the cost estimate;
    :class:`~cultureval.preflight.PreflightError` (exit 2, one line) at the first failure. The
    log folder the run writes to (``--log-dir``, ``INSPECT_LOG_DIR`` or ``./logs``), ``None`` when
    the arguments name no cultureval task or a remote log folder."""
    from cultureval.task_list import cost_lines

    request = parse_eval_args(args)
    if request is None:
        return None
    tasks = cultureval_tasks(request.tasks)
    limit = None
    # Inspect also takes a range, 10-20 (1-based, inclusive); anything else (-1, abc, 0) is a count
    span = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str(request.limit or ""))
    if request.limit is not None and not span:
        limit = check_limit(request.limit, fractions=False)
    check_models(request)
    if request.log_dir and "://" not in request.log_dir:
        check_output_path(request.log_dir, "--log-dir")
    counts = build_tasks(tasks, request.task_args, request.models, request.model_args)
    for task, n in counts.items():  # -T n: the three settings' samples per item
        per_item = documents_per_item(task, request.task_args.get("n"))
        check_whole_items(task, n, limit, per_item)
        if per_item > 1 and span:
            check_whole_item_range(task, int(span.group(1)), int(span.group(2)), per_item)
        if per_item > 1 and request.sample_id:
            raise PreflightError(
                f"--sample-id: {PREFIX}{task} has {per_item} samples per item (one per sampled answer), and a sample "
                "id picks single answers; choose items with -T countries=... / -T questions=..."
            )
    for line in cost_lines({task: limited_count(n, limit) for task, n in counts.items()}):
        print(f"cultureval: {line}", file=sys.stderr, flush=True)
    return request.log_dir if request.log_dir and "://" not in request.log_dir else None


def run_inspect(args: list[str]) -> int:
    """``cultureval inspect ARGS``: for ``eval``, :func:`check_eval` first; then Inspect's own
    command line (the ``inspect`` console script) with the same arguments; after an ``eval`` of
    cultureval tasks that succeeded, cultureval's table of each run's metrics beside the family's
    yardsticks on the same items (:func:`cultureval.run_summary.print_run_summary`, as after an
    lm-eval run). Inspect's exit status."""
    import time
    from importlib.metadata import entry_points

    log_dir = check_eval(args[1:]) if args[:1] == ["eval"] else None
    since = time.time()
    scripts = [entry for entry in entry_points(group="console_scripts") if entry.name == "inspect"]
    if not scripts:
        raise InputError("Inspect's `inspect` command is not installed (pip install inspect-ai)")
    main = scripts[0].load()
    sys.argv = ["inspect", *args]  # Inspect's main() reads its arguments there
    try:
        main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    else:
        code = 0
    if code == 0 and log_dir is not None:
        failed = failed_logs(Path(log_dir), since)
        for line in failed:
            print(f"cultureval inspect: {line}", file=sys.stderr, flush=True)
        if failed:  # Inspect exits 0 with a task that errored: no table of its empty results
            return 1
        from cultureval.run_summary import print_run_summary

        print_run_summary(Path(log_dir), since)
    return code


def failed_logs(log_dir: Path, since: float) -> list[str]:
    """One line per Inspect log written under ``log_dir`` at or after ``since`` whose run did not
    succeed (status ``error`` or ``cancelled``): the task, the status, the error's last line and
    the log. Inspect's ``eval`` exits 0 when a task errors; cultureval's summary then printed an
    empty table ("None items") and exited 0."""
    try:
        from inspect_ai.log import list_eval_logs, read_eval_log
    except ImportError:
        return []
    lines = []
    for info in list_eval_logs(str(log_dir)):
        # Inspect gives mtime in milliseconds (EvalLogInfo); older releases in seconds
        written = (info.mtime / 1000 if info.mtime > 1e11 else info.mtime) if info.mtime is not None else None
        if written is not None and written < since - 1:
            continue
        try:
            header = read_eval_log(info, header_only=True)
        except Exception as error:  # a log Inspect cannot read back: say so, do not crash
            lines.append(f"{info.name}: cannot read the log ({' '.join(str(error).split())[:200]})")
            continue
        if header.status == "success" or header.status == "started":
            continue
        message = (header.error.message if header.error else "") or ""
        last = message.strip().splitlines()[-1] if message.strip() else "no error recorded"
        lines.append(f"{header.eval.task}: the run ended with status {header.status} ({last[:200]}); log: {info.name}")
    return lines

"""One reader of logged runs: every post-run command (``cultureval report``, ``judge``,
``export-sft``, ``binary-settings``, ``cali-shift``, the table after ``cultureval run``, and the
exports built on them) reads lm-eval output and Inspect logs through :func:`read_runs`.

Which files count (one rule, for every command):

- A path named on the command line must exist; a folder must hold at least one run.
- **lm-eval** (0.4 and 0.5 layouts, through :mod:`cultureval.lm_eval_compat`): every
  ``results_<stamp>.json`` in a folder (searched recursively) or named, with
  ``samples_<task>_<stamp>.jsonl`` beside it (0.5 names a group's member
  ``samples_<group>::<task>_<stamp>.jsonl`` and its results key ``<group>::<task>``). A
  ``results_judged_<stamp>.json`` written by ``cultureval judge`` **replaces** the
  ``results_<stamp>.json`` of the same folder and stamp; its samples are the original samples,
  each joined by ``doc_id`` with its line of ``samples_judged_<task>_<stamp>.jsonl``.
  ``cultureval baseline`` output is lm-eval output (model name ``baseline/<kind>``; harness
  ``baseline``), and so is ``cultureval score -o`` output (a ``cultureval_score`` block; harness
  ``score``).
- **Inspect**: the logs ``inspect_ai.log.list_eval_logs`` lists in a folder (``.eval`` files, and
  ``.json`` files named by Inspect's timestamp pattern), or a ``.eval`` / ``.json`` file named.
- Anything unreadable is an :class:`~cultureval.errors.InputError` naming the file (and the line
  or sample): a results file or samples line that is not JSON, not UTF-8 or not an object, a
  ``doc`` that is not an object, an Inspect log that cannot be opened (truncated ``.eval``).

A :class:`Run` is one task of one results file or log, so it has one model: a folder holding
several models' outputs yields runs per model, and :func:`runs_by_model` groups runs for the
commands that combine tasks (CALI's culture shift, the three-setting comparison). Samples are
read lazily: :meth:`Run.samples` streams the samples file (or the log's samples) each time it is
iterated, so a command reads only the samples it needs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from cultureval.errors import InputError
from cultureval.lm_eval_compat import normalise_results, samples_path

RESULTS_RE = re.compile(r"^results_(?P<judged>judged_)?(?P<stamp>.+)\.json$")
LM_EVAL, INSPECT, BASELINE, SCORE = "lm-eval", "inspect", "baseline", "score"
LOCAL_PROVIDERS = ("hf", "vllm", "sglang", "transformers")
FILTER = "none"  # the lm-eval filter cultureval's tasks log their values under
# keys of an lm-eval sample line (0.4 and 0.5) that are not the item's logged values
_LINE_KEYS = frozenset(
    {
        "doc_id",
        "doc",
        "target",
        "arguments",
        "resps",
        "filtered_resps",
        "filter",
        "metrics",
        "doc_hash",
        "prompt_hash",
        "target_hash",
        "scores_per_repeat",
    }
)


# ------------------------------------------------------------------------------ the records


@dataclass(frozen=True)
class Sample:
    """One logged item of a run.

    ``values``: lm-eval, the line's per-item values (the keys its ``metrics`` list names; for
    ``cultureval baseline`` output every key that is not lm-eval's own); Inspect, the item's
    record from its first score (:func:`cultureval.scorers.records.record_of`: the score value
    and the identity fields, NaN as ``None``). ``score_answer``: Inspect's ``Score.answer``.
    ``judged``: the item's line of ``samples_judged_*.jsonl`` (judged runs). ``where``: file and
    line (or log and sample id), for messages. ``raw``: the sample as logged (lm-eval, the
    line's JSON object; Inspect, the ``EvalSample``). ``answer``, ``answers``, ``prompt``,
    ``loglikelihoods``, ``model_distribution``, ``record`` and ``metadata`` are read from it when
    first asked for.
    """

    doc: dict
    values: dict
    where: str
    doc_id: Any = None
    score_answer: str | None = None
    judged: dict | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def answer(self) -> str | None:
        """The model's generated text (lm-eval ``filtered_resps``, else ``resps``; Inspect
        ``output.completion``); ``None`` for a log-likelihood request."""
        if not isinstance(self.raw, dict):
            output = getattr(self.raw, "output", None)
            return output.completion if output else None
        if self.loglikelihoods is not None:
            return None
        texts = (_text(self.raw.get(key)) for key in ("filtered_resps", "resps"))
        return next((text for text in texts if text is not None), None)

    @cached_property
    def answers(self) -> tuple[str, ...]:
        """Every text the model generated for the item, in order (lm-eval ``filtered_resps``, else
        ``resps``: one per repeat of a sampled task; Inspect ``output.completion``); empty for a
        log-likelihood request."""
        if not isinstance(self.raw, dict):
            return (self.answer,) if self.answer else ()
        if self.loglikelihoods is not None:
            return ()
        for key in ("filtered_resps", "resps"):
            found = tuple(_texts(self.raw.get(key)))
            if found:
                return found
        return ()

    @cached_property
    def model_distribution(self) -> tuple[float, ...] | None:
        """The model's answer distribution over the item's options where the run logged one:
        lm-eval multiple choice, the softmax of the choices' log-likelihoods (as the tasks score
        it); ``cultureval baseline``, the predicted distribution; Inspect, the distribution its
        option scorer recorded. ``None`` otherwise (written answers: the family reads them)."""
        if self.loglikelihoods is not None:
            from cultureval.metrics import softmax_logprobs

            return tuple(softmax_logprobs(self.loglikelihoods))
        if isinstance(self.raw, dict):
            found = self.raw.get("baseline_distribution")
        else:
            score = next(iter((getattr(self.raw, "scores", None) or {}).values()), None)
            found = (score.metadata or {}).get("model_distribution") if score is not None else None
        if not isinstance(found, list) or not all(number(value) is not None for value in found):
            return None
        return tuple(float(value) for value in found)

    @cached_property
    def record(self) -> dict | None:
        """The item's whole record where the run logged one: its judged line (judged runs), the
        scored record ``cultureval score -o`` writes, Inspect's score record (:attr:`values`)."""
        if self.judged is not None:
            return self.judged
        if isinstance(self.raw, dict):
            found = self.raw.get("record")
            return found if isinstance(found, dict) else None
        return self.values or None

    @cached_property
    def metadata(self) -> dict:
        """Inspect: the sample's metadata as the solver left it (rendering, answers a solver drew
        itself); lm-eval: empty."""
        found = None if isinstance(self.raw, dict) else getattr(self.raw, "metadata", None)
        return found if isinstance(found, dict) else {}

    @cached_property
    def prompt(self) -> str:
        """The prompt as logged (lm-eval's first request; Inspect's first user message)."""
        if isinstance(self.raw, dict):
            return _logged_prompt(self.raw)
        user = [message for message in getattr(self.raw, "messages", []) if message.role == "user"]
        return user[0].text if user else ""

    @cached_property
    def loglikelihoods(self) -> tuple[float, ...] | None:
        """lm-eval multiple choice: one log-likelihood per choice, in order; else ``None``."""
        return _loglikelihoods(self.raw) if isinstance(self.raw, dict) else None

    def doc_field(self, name: str) -> Any:
        """``doc[name]``; :class:`InputError` naming the file and line when the doc lacks it."""
        if name not in self.doc:
            raise InputError(f"{self.where}: the logged doc has no {name!r}")
        return self.doc[name]


@dataclass(frozen=True)
class LmEvalOutput:
    """One lm-eval run's files: ``results_<stamp>.json`` in ``folder``, replaced by
    ``results_judged_<stamp>.json`` when ``judged``."""

    folder: Path
    stamp: str
    judged: bool

    @property
    def results_file(self) -> Path:
        return self.folder / f"results_{self.stamp}.json"

    @property
    def judged_file(self) -> Path:
        return self.folder / f"results_judged_{self.stamp}.json"

    @property
    def read_path(self) -> Path:
        """The file that counts: the judged one when there is one."""
        return self.judged_file if self.judged else self.results_file

    def read(self, original: bool = False) -> dict:
        """The results (group members under their own names); ``original``: lm-eval's own file
        (where it still exists) rather than the judged one."""
        path = self.results_file if original and self.results_file.is_file() else self.read_path
        return read_results_file(path)


@dataclass(eq=False)
class Run:
    """One task of one lm-eval results file or Inspect log: what made its numbers, its numbers,
    and its samples (read lazily by :meth:`samples`).

    ``model``: the model's identity across harnesses (:func:`model_identity`); ``model_path``:
    the base model as the run named it; ``adapter``: the LoRA adapter, ``""`` without one.
    ``harness``: ``lm-eval``, ``inspect``, ``baseline`` or ``score``. ``rendering``: ``plain``, ``chat``,
    ``instruction`` or ``""`` when not recorded. ``provenance``: cultureval's block as read
    (lm-eval ``configs.<task>.metadata.cultureval``, Inspect the eval metadata); ``data_source``
    and ``task_version`` are read from it. ``judge``: the ``cultureval_judge`` block of a judged
    results file that judged this task. ``started_at``/``completed_at``: ISO 8601 where the
    harness recorded them. ``notes``: what a reader should know (a failed judgement, a partial
    log). How the model was run, as the harness recorded it: ``engine`` (lm-eval's model type,
    ``hf``, ``vllm``, ...; Inspect's provider), ``engine_version`` (lm-eval: the transformers
    version it records), ``model_args`` (as recorded: lm-eval's ``k=v`` string or dict, Inspect's
    ``-M`` dict; may hold secrets, so never print it whole), ``output_type`` (lm-eval's),
    ``generation`` (the generation settings: lm-eval's ``generation_kwargs`` and ``repeats``;
    Inspect's generate config and ``epochs``; empty when none were given) and ``status``
    (Inspect's log status; ``success`` for results files).
    """

    model: str
    harness: str
    task: str
    metrics: dict[str, float | None]
    n: int | None = None
    source: str = ""
    rendering: str = ""
    limit: float | None = None
    shots: int | None = None
    model_path: str = ""
    adapter: str = ""
    model_revision: str = ""
    harness_version: str = ""
    task_version: Any = None
    cultureval_version: str = ""
    data_source: dict | None = None
    provenance: dict = field(default_factory=dict)
    judge: dict | None = None
    started_at: str | None = None
    completed_at: str | None = None
    samples_source: str = ""  # the samples file or the log the samples come from
    notes: list[str] = field(default_factory=list)
    engine: str = ""
    engine_version: str = ""
    model_args: dict | str | None = None
    output_type: str = ""
    generation: dict = field(default_factory=dict)
    status: str = "success"
    output: LmEvalOutput | None = None  # lm-eval and baseline runs: their files
    read_samples: Callable[[], Iterator[Sample]] | None = field(default=None, repr=False)
    # the family's yardsticks on this run's documents, set once by report_tools.yardsticks_of
    yardsticks: dict[str, dict] | None = field(default=None, repr=False)

    @property
    def has_samples(self) -> bool:
        return self.read_samples is not None

    def samples(self) -> Iterator[Sample]:
        """The run's samples, streamed from its file; :class:`InputError` when none were logged
        or a line cannot be read (naming the file and line)."""
        if self.read_samples is None:
            raise InputError(f"{self.samples_source}: missing; rerun lm-eval with --log_samples ({self.task})")
        return self.read_samples()

    @cached_property
    def _scanned(self) -> tuple[list[dict] | None, list[dict] | None]:
        """One pass over the samples for what the family reads: the report records when it has
        ``report_item``, the logged documents when it has ``yardsticks``."""
        from cultureval.families import family_of

        owner = family_of(self.task)
        report_item = owner.report_item if owner is not None else None
        want_items = report_item is not None
        want_docs = owner is not None and owner.yardsticks is not None
        if not self.has_samples or not (want_items or want_docs):
            return None, None
        items: list[dict] = []
        docs: list[dict] = []
        for sample in self.samples():
            if report_item is not None:
                record = report_item(self.task, sample.doc, sample.values)
                if record is not None:
                    items.append(record)
            if want_docs and sample.doc:
                docs.append(sample.doc)
        return (items if want_items else None), (docs or None)

    @property
    def items(self) -> list[dict] | None:
        """The family's per-item report records (``Family.report_item``) over the samples;
        ``None`` without samples or without such a hook."""
        return self._scanned[0]

    @property
    def docs(self) -> list[dict] | None:
        """The logged documents (the items as the task read them), for the family's yardsticks
        on the same items; ``None`` without samples, without documents or when the family has no
        yardsticks. Read in the same pass as :attr:`items`."""
        return self._scanned[1]

    @property
    def version(self) -> tuple:
        """(task version, data sha256): what two runs of one task must share to compare."""
        return (self.task_version, (self.data_source or {}).get("sha256"))

    @property
    def label(self) -> str:
        """How figures name the run: model, harness, and a limit when there was one."""
        limit = f", limit {self.limit:g}" if self.limit else ""
        return f"{self.model} ({self.harness}{limit})"


# ------------------------------------------------------------------------------ small readers


def number(value) -> float | None:
    """``value`` as a float; ``None`` for booleans, ``None``, NaN and anything not numeric."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if math.isnan(result) else result


def _kind(value) -> str:
    kinds: dict[type, str] = {dict: "an object", list: "an array", str: "a string"}
    return kinds.get(type(value), type(value).__name__)


def _parse_json(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: not JSON ({error.msg} at column {error.colno})") from None
    except (ValueError, RecursionError) as error:  # an integer too long, nesting too deep
        raise InputError(f"{where}: not JSON ({type(error).__name__})") from None


def read_results_file(path: Path) -> dict:
    """An lm-eval results file (group members under their own names); :class:`InputError`
    naming the file (and line) when it cannot be read or is not lm-eval's results object."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"{path}, line {line}: not UTF-8 (byte 0x{data[error.start]:02x})") from None
    try:
        results = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}, line {error.lineno}: not JSON ({error.msg})") from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"{path}: not JSON ({type(error).__name__})") from None
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
        raise InputError(f"{path}: not an lm-eval results file (no 'results' object)")
    for task, entry in results["results"].items():
        if not isinstance(entry, dict):
            raise InputError(f"{path}: results of {task!r} is {_kind(entry)}, not an object")
    return normalise_results(results)


def jsonl_lines(path: Path) -> Iterator[tuple[str, dict]]:
    """``(where, object)`` per non-blank line of a JSONL file, streamed; :class:`InputError`
    naming the file and line for bytes that are not UTF-8, text that is not JSON, or a line
    that is not a JSON object."""
    try:
        with open(path, "rb") as handle:
            for index, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield _jsonl_object(f"{path}, line {index}", raw)
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None


def _jsonl_object(where: str, raw: bytes) -> tuple[str, dict]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{where}: not UTF-8 (byte 0x{raw[error.start]:02x})") from None
    line = _parse_json(text, where)
    if not isinstance(line, dict):
        raise InputError(f"{where}: {_kind(line)}, not the JSON object of one sample")
    return where, line


# ------------------------------------------------------------------------------ model identity


def _is_local_path(value: str) -> bool:
    return value.startswith(("/", ".", "~")) or value.count("/") >= 2 or Path(value).expanduser().exists()


def model_identity(path: str, adapter: str = "") -> str:
    """A model's name across harnesses: a local folder by its folder name, a Hub id as is; with
    an adapter, ``base+adapter``."""
    name = Path(path.rstrip("/")).name if _is_local_path(path) else path
    if adapter:
        name += "+" + (Path(adapter.rstrip("/")).name if _is_local_path(adapter) else adapter)
    return name


def lm_eval_model(results: dict) -> tuple[str, str, str, str]:
    """(identity, model path, adapter, revision) of lm-eval results; a baseline is named by
    its ``model_name`` (``baseline/<kind>``)."""
    config = results.get("config")
    if not isinstance(config, dict):
        config = {}
    name = str(results.get("model_name") or "")
    if name.startswith("baseline/"):
        return name, "", "", ""
    args = config.get("model_args") or {}
    if isinstance(args, str):
        args = dict(item.split("=", 1) for item in args.split(",") if "=" in item)
    if not isinstance(args, dict):
        args = {}
    path = str(args.get("pretrained") or name or "unknown")
    adapter = str(args.get("peft") or args.get("lora_local_path") or "")
    revision = str(config.get("model_sha") or config.get("model_revision") or "")
    return model_identity(path, adapter), path, adapter, revision


def inspect_model(log) -> tuple[str, str, str]:
    """(identity, model path, adapter) of an Inspect log: a local provider's model folder
    (``-M model_path=``, or ``vllm/BASE:ADAPTER``) or its model name without the provider; a
    hosted model as named."""
    name = str(log.eval.model)
    provider, _, rest = name.partition("/")
    args = log.eval.model_args or {}
    if provider in LOCAL_PROVIDERS:
        path = str(args.get("model_path") or rest)
        base, _, adapter = path.partition(":") if not Path(path).exists() else (path, "", "")
        return model_identity(base, adapter), base, adapter
    return name, name, ""


def _rendering(value) -> str:
    """``plain (human_assistant)`` -> ``plain``; unknown or ``auto`` -> ``""``."""
    return str(value).split(" ")[0] if value and str(value) != "auto" else ""


def _timestamp(value) -> str | None:
    """An lm-eval ``date`` (epoch seconds) as ISO 8601 UTC; the ``%Y-%m-%dT%H-%M-%S.%f`` (UTC)
    that ``cultureval baseline`` wrote before it wrote epoch seconds, the same; any other string
    as written."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H-%M-%S.%f").replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return str(value) if value else None


# ------------------------------------------------------------------------------ which files count


def _inspect_logs(folder: Path) -> list[str]:
    """The Inspect logs ``list_eval_logs`` finds in ``folder`` (Inspect is imported only when
    the folder holds a candidate file)."""
    candidates = any(
        path.suffix == ".eval" or (path.suffix == ".json" and not RESULTS_RE.match(path.name))
        for path in folder.rglob("*")
        if path.is_file()
    )
    if not candidates:
        return []
    from inspect_ai.log import list_eval_logs

    return sorted(info.name.removeprefix("file://") for info in list_eval_logs(str(folder)))


def find_inputs(paths: Iterable[Path | str]) -> tuple[list[LmEvalOutput], list[str]]:
    """The lm-eval outputs and Inspect logs that count under ``paths`` (the module's rule);
    :class:`InputError` for a missing path, a folder holding neither, or a file that is neither
    an lm-eval results file nor an Inspect log."""
    stamps: dict[tuple[Path, str], None] = {}
    logs: dict[str, None] = {}
    for path in map(Path, paths):
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found = [
                (p.parent, m["stamp"]) for p in sorted(path.rglob("results_*.json")) if (m := RESULTS_RE.match(p.name))
            ]
            in_folder = _inspect_logs(path)
            if not found and not in_folder:
                raise InputError(
                    f"{path}: holds neither lm-eval results_*.json nor Inspect logs (.eval, or .json named by Inspect)"
                )
        elif match := RESULTS_RE.match(path.name):
            found, in_folder = [(path.parent, match["stamp"])], []
        elif path.suffix in (".eval", ".json"):
            found, in_folder = [], [str(path)]
        else:
            raise InputError(f"{path}: neither an lm-eval results_*.json nor an Inspect log (.eval, .json)")
        stamps.update(dict.fromkeys(found))
        logs.update(dict.fromkeys(in_folder))
    outputs = [
        LmEvalOutput(folder, stamp, (folder / f"results_judged_{stamp}.json").is_file()) for folder, stamp in stamps
    ]
    return outputs, list(logs)


# ------------------------------------------------------------------------------ lm-eval runs


def _text(value) -> str | None:
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None


def _texts(value) -> Iterator[str]:
    """Every string in a (nested) list of lm-eval responses, in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _logged_prompt(line: dict) -> str:
    """The prompt of an lm-eval sample line: 0.4 logs ``{"gen_args_0": {"arg_0": prompt, ...}}``,
    0.5 a list of each request's arguments."""
    arguments = line.get("arguments")
    if isinstance(arguments, dict):
        first: object = next(iter(arguments.values()), {})
        return str(first.get("arg_0", "")) if isinstance(first, dict) else _text(first) or ""
    return _text(arguments) or ""


def _loglikelihoods(line: dict) -> tuple[float, ...] | None:
    """One log-likelihood per choice of a multiple-choice line (``resps``: per request
    ``[[loglikelihood, is_greedy]]``; lm-eval 0.4.13 writes both as strings,
    ``[["-6.41", "False"]]``); ``None`` for any other line (a generation: ``[["text"]]``)."""
    resps = line.get("resps")
    if not isinstance(resps, list):  # JSON: a missing or malformed field
        return None
    try:
        if not all(isinstance(resp[0], list) and len(resp[0]) == 2 for resp in resps):
            return None
        found = tuple(float(resp[0][0]) for resp in resps)
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return found or None


def _lm_eval_sample(where: str, line: dict, judged: dict) -> Sample | None:
    if line.get("filter", FILTER) != FILTER:
        return None
    doc = line.get("doc")
    if not isinstance(doc, dict):
        raise InputError(f"{where}: 'doc' is {_kind(doc)}, not an object (lm-eval logs it with --log_samples)")
    names = line.get("metrics")
    if isinstance(names, list):
        values = {name: line[name] for name in names if isinstance(name, str) and name in line}
    else:
        values = {key: value for key, value in line.items() if key not in _LINE_KEYS}
    doc_id = line.get("doc_id")
    return Sample(
        doc=doc,
        values=values,
        where=where,
        doc_id=doc_id,
        raw=line,
        judged=judged.get(doc_id) if isinstance(doc_id, (int, str)) else None,
    )


def _judged_lines(path: Path | None) -> dict:
    return {line.get("doc_id"): line for _, line in jsonl_lines(path)} if path is not None else {}


def _lm_eval_samples(path: Path, judged_path: Path | None) -> Iterator[Sample]:
    judged = _judged_lines(judged_path)
    for where, line in jsonl_lines(path):
        sample = _lm_eval_sample(where, line, judged)
        if sample is not None:
            yield sample


def _judge_notes(path: Path, task: str, block: dict | None) -> list[str]:
    """A judged task without a single judgement: its judged metrics are missing because the
    judge failed, not because the model scored nothing."""
    info = ((block or {}).get("tasks") or {}).get(task)
    if not isinstance(info, dict) or not info.get("n_samples"):
        return []
    failures = info.get("failures") or {}
    judged = info.get("n_judged", info["n_samples"] - sum(failures.values()))
    if judged:
        return []
    shown = ", ".join(f"{kind} {count}" for kind, count in failures.items())
    return [
        f"{path}: {task}: not one of {info['n_samples']} judgements succeeded ({shown}); "
        "its judged metrics are missing, not zero — rerun cultureval judge against a working judge"
    ]


def _section(results: dict, name: str, task: str) -> Any:
    section = results.get(name)
    return section.get(task) if isinstance(section, dict) else None


def _effective_n(results: dict, task: str) -> int | None:
    counts = _section(results, "n-samples", task)
    n = counts.get("effective") if isinstance(counts, dict) else None
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def _provenance(results: dict, task: str) -> dict:
    config = _section(results, "configs", task) or {}
    block = ((config.get("metadata") if isinstance(config, dict) else None) or {}).get("cultureval")
    return block if isinstance(block, dict) else {}


def _lm_eval_common(output: LmEvalOutput, results: dict) -> dict:
    """The fields every task run of one results file shares."""
    model, model_path, adapter, revision = lm_eval_model(results)
    config: dict = results["config"] if isinstance(results.get("config"), dict) else {}
    harness = BASELINE if model.startswith("baseline/") else SCORE if results.get("cultureval_score") else LM_EVAL
    args = config.get("model_args")
    return {
        "model": model,
        "harness": harness,
        "source": str(output.read_path),
        "limit": number(config.get("limit")),
        "model_path": model_path,
        "adapter": adapter,
        "model_revision": revision,
        "harness_version": str(results.get("lm_eval_version") or ""),
        "started_at": _timestamp(results.get("date")),
        "output": output,
        "engine": str(config.get("model") or "") if harness == LM_EVAL else "",
        "engine_version": str(results.get("transformers_version") or "") if harness == LM_EVAL else "",
        "model_args": args if isinstance(args, (dict, str)) else None,
    }


def _lm_eval_run(output: LmEvalOutput, results: dict, task: str, common: dict) -> Run:
    entry = results["results"][task]
    block = _provenance(results, task)
    judge = results.get("cultureval_judge") if output.judged else None
    judged_here = isinstance(judge, dict) and task in (judge.get("tasks") or {})
    found = samples_path(output.results_file, task)
    judged_samples = output.folder / f"samples_judged_{task}_{output.stamp}.jsonl"
    shots = block.get("shots", _section(results, "n-shot", task))
    config = _section(results, "configs", task)
    config = config if isinstance(config, dict) else {}
    generation = (
        dict(config.get("generation_kwargs") or {}) if isinstance(config.get("generation_kwargs"), dict) else {}
    )
    if isinstance(config.get("repeats"), int) and config["repeats"] > 1:
        generation["repeats"] = config["repeats"]
    return Run(
        task=task,
        metrics={key.split(",")[0]: number(value) for key, value in entry.items() if "," in key},
        n=_effective_n(results, task),
        rendering=_rendering(block.get("rendering")),
        shots=shots if isinstance(shots, int) and not isinstance(shots, bool) else None,
        task_version=block.get("task_version", _section(results, "versions", task)),
        cultureval_version=str(block.get("cultureval_version") or ""),
        data_source=block.get("data_source") if isinstance(block.get("data_source"), dict) else None,
        provenance=block,
        judge=judge if judged_here else None,
        samples_source=str(found or output.folder / f"samples_{task}_{output.stamp}.jsonl"),
        notes=_judge_notes(output.read_path, task, judge if judged_here else None),
        output_type=str(config.get("output_type") or ""),
        generation=generation,
        read_samples=partial(_lm_eval_samples, found, judged_samples if judged_samples.is_file() else None)
        if found
        else None,
        **common,
    )


def lm_eval_runs(output: LmEvalOutput) -> list[Run]:
    """One :class:`Run` per task (not group) of one lm-eval results file."""
    results = output.read()
    groups = set(results.get("group_subtasks") or {}) if isinstance(results.get("group_subtasks"), dict) else set()
    common = _lm_eval_common(output, results)
    return [_lm_eval_run(output, results, task, common) for task in results["results"] if task not in groups]


# ------------------------------------------------------------------------------ Inspect runs


def _why(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _inspect_sample(file: str, sample, record_of) -> Sample:
    where = f"{file}, sample {sample.id} (epoch {sample.epoch})"
    metadata = sample.metadata or {}
    doc = metadata.get("doc", {})
    if not isinstance(doc, dict):
        raise InputError(f"{where}: 'doc' is {_kind(doc)}, not an object")
    score = next(iter((sample.scores or {}).values()), None)
    values = {} if score is None else record_of(score)
    if score is not None and not isinstance(score.value, dict):
        values["value"] = score.value
    return Sample(
        doc=doc,
        values=values,
        where=where,
        doc_id=sample.id,
        score_answer=None if score is None or score.answer is None else str(score.answer),
        raw=sample,
    )


def _inspect_samples(file: str) -> Iterator[Sample]:
    """The samples of an Inspect log, read when iterated. The whole log is read in one pass:
    ``read_eval_log_samples`` reopens the archive for every sample (minutes on 50,000)."""
    from inspect_ai.log import read_eval_log

    from cultureval.scorers.records import record_of

    try:
        log = read_eval_log(file)
    except Exception as error:  # a damaged log raises zipfile's, JSON's or pydantic's errors
        raise InputError(f"{file}: its samples cannot be read ({_why(error)})") from None
    for sample in log.samples or []:
        yield _inspect_sample(file, sample, record_of)


def _inspect_rendering(file: str, block: dict) -> str:
    """The recorded rendering, else the one every sample resolved (``auto`` resolves per
    provider at solve time)."""
    if _rendering(block.get("rendering")):
        return _rendering(block.get("rendering"))
    from inspect_ai.log import read_eval_log_sample_summaries

    try:
        summaries = read_eval_log_sample_summaries(file)
    except Exception as error:  # as above
        raise InputError(f"{file}: not a readable Inspect log ({_why(error)})") from None
    resolved = {(summary.metadata or {}).get("rendering") for summary in summaries} - {None}
    return _rendering(resolved.pop()) if len(resolved) == 1 else ""


def _inspect_generation(log) -> dict:
    """The generation settings of an Inspect log: the plan's generate config, the command
    line's (``--max-tokens``, ... : the eval's ``model_generate_config``) over it, and ``epochs``."""
    found = log.plan.config.model_dump(exclude_none=True) if log.plan else {}
    found |= log.eval.model_generate_config.model_dump(exclude_none=True) if log.eval.model_generate_config else {}
    epochs = getattr(log.eval.config, "epochs", None)
    if isinstance(epochs, int) and epochs > 1:
        found["epochs"] = epochs
    return found


def inspect_runs(file: str, tasks: set[str] | None = None) -> list[Run]:
    """The :class:`Run` of one Inspect log (none when its task is not in ``tasks``)."""
    from inspect_ai.log import read_eval_log

    try:
        log = read_eval_log(file, header_only=True)
    except Exception as error:  # a truncated .eval: zipfile's, JSON's, pydantic's errors
        raise InputError(f"{file}: not a readable Inspect log ({_why(error)})") from None
    task = log.eval.task.split("/")[-1]
    if tasks is not None and task not in tasks:
        return []
    model, model_path, adapter = inspect_model(log)
    block = log.eval.metadata if isinstance(log.eval.metadata, dict) else {}
    notes = (
        [] if log.status == "success" else [f"{file}: Inspect log status {log.status!r}: {task} on {model} is partial"]
    )
    metrics = {
        name: number(metric.value)
        for score in (log.results.scores if log.results else [])
        for name, metric in score.metrics.items()
    }
    shots = block.get("shots")
    return [
        Run(
            model=model,
            harness=INSPECT,
            engine=str(log.eval.model).partition("/")[0],
            model_args=dict(log.eval.model_args or {}),
            generation=_inspect_generation(log),
            status=str(log.status),
            task=task,
            metrics=metrics,
            n=log.results.completed_samples if log.results else None,
            source=file,
            rendering=_inspect_rendering(file, block),
            limit=number(getattr(log.eval.config, "limit", None)),
            shots=shots if isinstance(shots, int) and not isinstance(shots, bool) else None,
            model_path=model_path,
            adapter=adapter,
            harness_version=str((log.eval.packages or {}).get("inspect_ai", "")),
            task_version=block.get("task_version", log.eval.task_version),
            cultureval_version=str(block.get("cultureval_version") or ""),
            data_source=block.get("data_source") if isinstance(block.get("data_source"), dict) else None,
            provenance=block,
            started_at=log.stats.started_at or log.eval.created,
            completed_at=log.stats.completed_at or None,
            samples_source=file,
            notes=notes,
            read_samples=partial(_inspect_samples, file),
        )
    ]


# ------------------------------------------------------------------------------ the entry points


def read_runs(paths: Iterable[Path | str], tasks: Iterable[str] | None = None, since: float | None = None) -> list[Run]:
    """Every run under ``paths`` (lm-eval output folders or results files, Inspect log files or
    folders, ``cultureval baseline`` and ``cultureval judge`` output), by the module's rule:
    lm-eval runs first (results files in path order), then Inspect logs. ``tasks``: keep only
    these tasks' runs; ``since`` (a ``time.time()``): only results files and logs written at or
    after it. Samples are not read here (:meth:`Run.samples`).

    Raises :class:`InputError` (one line naming the file, and line where there is one) for a
    missing path, a folder without runs, or a file that cannot be read.
    """
    outputs, logs = find_inputs(paths)
    if since is not None:
        outputs = [output for output in outputs if output.read_path.stat().st_mtime >= since]
        logs = [log for log in logs if Path(log).stat().st_mtime >= since]
    wanted = set(tasks) if tasks is not None else None
    runs = [run for output in outputs for run in lm_eval_runs(output)]
    runs += [run for log in logs for run in inspect_runs(log, wanted)]
    return [run for run in runs if wanted is None or run.task in wanted]


def runs_by_model(runs: Iterable[Run], tasks: Iterable[str]) -> dict[tuple[str, str], dict[str, Run]]:
    """The runs of ``tasks`` per ``(model, rendering)``: the unit a command that combines
    tasks (CALI's culture shift, the three-setting comparison) compares within — never across
    models or renderings. Two runs of one task for one model and rendering are an
    :class:`InputError` naming both files."""
    wanted = set(tasks)
    grouped: dict[tuple[str, str], dict[str, Run]] = {}
    for run in runs:
        if run.task not in wanted:
            continue
        by_task = grouped.setdefault((run.model, run.rendering), {})
        if run.task in by_task:
            raise InputError(
                f"{run.model} has two runs of {run.task} ({by_task[run.task].source}; {run.source}): "
                "give the outputs of one run per model"
            )
        by_task[run.task] = run
    return grouped


def model_label(key: tuple[str, str]) -> str:
    """``model`` or ``model (rendering R)``: how :func:`runs_by_model`'s key is printed."""
    model, rendering = key
    return f"{model} (rendering {rendering})" if rendering else model

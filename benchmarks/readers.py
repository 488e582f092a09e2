"""Every reader of model and judge output on degenerate megabyte inputs (prints a table).

    python benchmarks/readers.py [--size 1000000] [--limit 10] [--against REVISION]

Rows are inputs (whitespace of every kind, digits of three scripts, brackets, and mixes that
once made a reader backtrack), columns are readers; each cell is the seconds one call took
(the best of three), ``>N`` when it ran past ``--limit`` seconds. ``--against REVISION`` (a
git revision of this repository) times that revision's readers too, printed as ``now/then``
in each cell. Target: every cell of the whitespace, digit and bracket rows under 0.1 s per
megabyte for the distribution reader; every cell linear in the size (rerun with ``--size
2000000``: each cell about doubles). Timings, not tests: the test suite only guards against a
hang.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cultureval.tasks.binary_settings import judge as stance
from cultureval.tasks.binary_settings import scoring as binary
from cultureval.tasks.culturebank import judge as entailment
from cultureval.tasks.global_opinions import parser, scoring, verbalized
from cultureval.tasks.wvs_polarity import judge as polarity

FOUR = ["Agree strongly", "Agree", "Disagree", "Disagree strongly"]


def readers(parser, verbalized, scoring, binary_scoring, binary_judge, culturebank_judge, polarity_judge) -> dict:
    return {
        "distribution": lambda text: parser.parse_distribution(text, FOUR),
        "json": lambda text: verbalized.read_json_distribution(text, ["Yes", "No"]),
        "final_choice": lambda text: binary_scoring.read_final_choice(text, ["Approve", "Disapprove"]),
        "choice": lambda text: binary_scoring.read_choice(text, ["Approve", "Disapprove"]),
        "stance": binary_judge.parse_stance,
        "yes_no": culturebank_judge.parse_yes_no,
        "polarity": lambda text: polarity_judge.parse_polarity_labels(text, 10),
        "letter": lambda text: scoring.answer_letter(text, ["A", "B", "C", "D"], after_stem=False),
    }


READER_FILES = (
    "tasks/global_opinions/parser.py",
    # the verbalised reader lived in conditions.py before the GlobalOpinionQA split (0.2.0)
    ("tasks/global_opinions/verbalized.py", "tasks/global_opinions/conditions.py"),
    "tasks/global_opinions/scoring.py",
    "tasks/binary_settings/scoring.py",
    "tasks/binary_settings/judge.py",
    "tasks/culturebank/judge.py",
    "tasks/wvs_polarity/judge.py",
)
READERS = readers(parser, verbalized, scoring, binary, stance, entailment, polarity)


def _source_at(root: Path, revision: str, paths: tuple[str, ...]) -> str:
    """The first of ``paths`` that exists at ``revision``."""
    for relative in paths:
        shown = subprocess.run(
            ["git", "-C", str(root), "show", f"{revision}:{relative}"], capture_output=True, text=True
        )
        if shown.returncode == 0:
            return shown.stdout
    raise SystemExit(f"none of {', '.join(paths)} exists at {revision}")


def readers_at(revision: str) -> dict:
    """The readers as ``revision`` of this repository wrote them: each file read with ``git
    show`` and loaded as a module of its own (its imports are today's package)."""
    root = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="readers-"))
    modules = []
    for number, candidates in enumerate(READER_FILES):
        source = _source_at(root, revision, (candidates,) if isinstance(candidates, str) else candidates)
        path = folder / f"then_{number}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"_then_{number}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        modules.append(module)
    return readers(*modules)


EVERY_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def inputs(size: int) -> dict[str, str]:
    def fill(unit: str, prefix: str = "", suffix: str = "") -> str:
        return prefix + (unit * (size // len(unit) + 1))[:size] + suffix

    return {
        "spaces": fill(" ", "I think", "so."),
        "every whitespace (str.isspace)": fill(EVERY_WHITESPACE),
        "newlines after an open list": fill("\n", "{0.5, 0.5", "."),
        "newlines inside a list": fill("\n", "{0.5,", "0.5}"),
        "tabs and newlines after a label": fill(" \t\n", "Agree:", "0.5"),
        "NBSP after a label": fill("\u00a0", "Agree:", "0.5"),
        "ASCII digits": fill("7"),
        "fullwidth digits": fill("０１２３４５６７８９"),
        "Arabic-Indic digits and separators": fill("٠٫"),
        "digits on lines": fill("1\n"),
        "signed digits on lines": fill("-1\n"),
        "brackets": fill("[{("),
        "closing brackets": fill(")}]"),
        "brackets and digits": fill("[1,"),
        "an open list": fill("0.1, ", "["),
        "a closed list": fill("0.1, ", "[", "]"),
        "lists of two": fill("[0.5, 0.5]"),
        "braces with pairs": fill("{a: 1}"),
        "code fence then spaces": fill(" ", "```"),
        "Answer then spaces": fill(" ", "Answer", ":"),
        "think tags": fill("<think>"),
        "capitals and spaces": fill("A "),
        "labelled lines": fill("Agree: 0.1\n"),
        "label-like lines": fill("Note: 1\n"),
    }


class _Late(Exception):
    pass


def timed(read, text: str, limit: int) -> float | None:
    """Best of three calls in seconds; ``None`` when a call runs past ``limit`` seconds."""

    def late(signum, frame):
        raise _Late

    previous = signal.signal(signal.SIGALRM, late)
    best = float("inf")
    try:
        for _ in range(3):
            signal.alarm(limit)
            start = time.perf_counter()
            read(text)
            best = min(best, time.perf_counter() - start)
            signal.alarm(0)
    except _Late:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return best


def _cell(seconds: float | None, limit: int) -> str:
    return f">{limit}" if seconds is None else f"{seconds:.3f}"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--size", type=int, default=1_000_000, help="characters per input (default 1 MB)")
    arguments.add_argument("--limit", type=int, default=10, help="seconds before a call is given up")
    arguments.add_argument("--against", help="a git revision whose readers are timed beside today's")
    args = arguments.parse_args()
    then = readers_at(args.against) if args.against else None
    cases = inputs(args.size)
    width = max(map(len, cases))
    column = 16 if then else 13
    print(f"seconds per call on {args.size / 1e6:g} M characters (best of 3; >{args.limit} = gave up)")
    if then:
        print(f"each cell: now/then, then = {args.against}")
    print(" " * width + "".join(f"{name:>{column}s}" for name in READERS))
    slowest = 0.0
    for name, text in cases.items():
        cells = []
        for reader, read in READERS.items():
            seconds = timed(read, text, args.limit)
            slowest = max(slowest, seconds if seconds is not None else float("inf"))
            cell = _cell(seconds, args.limit)
            if then:
                cell += "/" + _cell(timed(then[reader], text, args.limit), args.limit)
            cells.append(cell)
        print(f"{name:{width}s}" + "".join(f"{cell:>{column}s}" for cell in cells))
    print(f"slowest call now: {slowest:.3f} s")


if __name__ == "__main__":
    main()

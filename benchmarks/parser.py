"""Throughput of cultureval.parse_distribution on a large synthetic corpus (prints numbers).

    python benchmarks/parser.py [--outputs 50000]

The corpus mixes what models write: long reasoning with numbers then a final list, labelled
lines in markdown, percentages, wrong-length lists and truncated reasoning. Then degenerate
single outputs, each timed on its own (target: 1 MB in < 0.1 s): whitespace runs, one very long
line, many brackets, many labelled lines, many <think> tags. ``benchmarks/readers.py`` times
every reader of answers and judge replies on more such inputs, beside an earlier revision's.
"""

from __future__ import annotations

import argparse
import random
import time

from cultureval.tasks.global_opinions.parser import parse_distribution, read_distribution

OPTIONS = [
    "Agree strongly",
    "Agree",
    "Neither (DO NOT READ)",
    "Disagree",
    "Disagree strongly",
    "Don't know",
    "No answer",
]
FILLER = (
    "Historically, surveys in 2010 and 2017 showed that around 45% of respondents held this view, "
    "while 3 in 10 disagreed; economic conditions, religion and urbanisation all matter. "
)


def synthetic_output(rng: random.Random) -> str:
    weights = [rng.random() for _ in OPTIONS]
    total = sum(weights)
    values = [w / total for w in weights]
    reasoning = "<think>" + FILLER * rng.randint(2, 12) + "</think>\n"
    kind = rng.randrange(5)
    if kind == 0:
        return reasoning + "{" + ", ".join(f"{v:.3f}" for v in values) + "}"
    if kind == 1:
        return reasoning + "[" + ", ".join(f"{100 * v:.0f}%" for v in values) + "]"
    if kind == 2:
        lines = [f"- **{o}**: {v:.2f} ({100 * v:.0f}%)" for o, v in zip(OPTIONS, values)]
        rng.shuffle(lines)
        return reasoning + "My estimate:\n" + "\n".join(lines)
    if kind == 3:
        return reasoning + "{" + ", ".join(f"{v:.3f}" for v in values[:4]) + "}"
    return "<think>" + FILLER * rng.randint(5, 20)  # truncated


MEGABYTE = 1_000_000
DEGENERATE = {
    "1 MB of spaces": "I think" + " " * MEGABYTE + "so.",
    "1 MB of tabs and spaces": "Agree:" + " \t" * (MEGABYTE // 2),
    "1 MB of newlines": "<think>" + "\n" * MEGABYTE + "</think>",
    "1 MB one line of words": "word " * (MEGABYTE // 5),
    "1 MB of '[' and spaces": "[ " * (MEGABYTE // 2),
    "1 MB of '{0.1,'": "{0.1," * (MEGABYTE // 5),
    "100k labelled lines": "Agree: 0.1\n" * 100_000,
    "100k <think> tags": "<think></think>" * 100_000,
}


def degenerate_cases() -> None:
    print("degenerate outputs (one parse each):")
    for name, text in DEGENERATE.items():
        start = time.perf_counter()
        reading = read_distribution(text, OPTIONS)
        print(f"  {name:28s} {len(text) / 1e6:5.2f} MB  {time.perf_counter() - start:6.3f} s  ({reading.status})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outputs", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(0)
    corpus = [synthetic_output(rng) for _ in range(args.outputs)]
    characters = sum(len(text) for text in corpus)
    start = time.perf_counter()
    parsed = sum(parse_distribution(text, OPTIONS) is not None for text in corpus)
    elapsed = time.perf_counter() - start
    print(f"parse_distribution: {len(corpus)} outputs ({characters / len(corpus):.0f} characters on average)")
    print(f"  {elapsed:.2f} s -> {len(corpus) / elapsed:,.0f} outputs/s; {parsed / len(corpus):.1%} parsed")
    degenerate_cases()


if __name__ == "__main__":
    main()

"""Check cultureval's WVS-polarity metrics on the study's released per-response scores (prints
numbers).

    CULTUREVAL_DATA_DIR=../shared/data python benchmarks/reproduce_wvs_polarity.py \\
        all_lang_model_responses_with_scores.csv [--tolerance 1e-9]

The file is the study's ``output/all_lang_model_responses_with_scores.csv``
(``jhrystrom/multicultural-alignment``; columns ``model_name, model_family, template_type,
language, response_language, question_key, response_pro_score, ground_truth_pro_score``). For
every model x prompt language it prints two computations of the study's definitions:

- independent (scipy and the csv module, written out here, no cultureval code):
  ``spearman_language`` = Spearman ρ of ``response_pro_score`` against the language's WVS pro
  share read straight from ``ground_truth_per_language.csv`` (``$CULTUREVAL_DATA_DIR/wvs_polarity``,
  the file cultureval pins), over the rows answered in the prompt's language whose topic has
  ground truth; ``self_consistency`` = Spearman ρ over every ordered pair of distinct rows with
  the same question key, all rows of the prompt language, divided by 1 - 0.045;
- cultureval: ``cultureval score wvs_polarity`` on the same rows,

with the rows of the cell, the responses each ρ uses, and the largest difference; the exit
status is 1 when it exceeds the tolerance. The file's own ``ground_truth_pro_score`` column is
*not* used: it holds the survey shares of the commit that wrote the file (99375249), which
differ from the released ground-truth files by up to 0.15 per topic; the last column prints
the ρ against that stale column so the difference shows.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import stats

from cultureval.score import score_rows

RELIABILITY = 1 - 0.045


def ground_truth(data_dir: Path) -> dict[tuple[str, str], float]:
    """(language, lower-case question key) -> the language's WVS pro share."""
    with open(data_dir / "wvs_polarity" / "ground_truth_per_language.csv", newline="", encoding="utf-8") as handle:
        return {
            (row["lnge_iso"], row["question_key"].lower()): float(row["pro_score"]) for row in csv.DictReader(handle)
        }


def bootstrap_mean(responses: list[tuple[str, float]], repeats: int = 100, seed: int = 0) -> float:
    """The figure's self-consistency (the study's ``scripts/plot_consistency.py``): the mean over
    ``repeats`` resamples with replacement of the pairwise ρ / (1 - 0.045), a response drawn twice
    pairing with its copy. The draws follow cultureval's documented protocol (one
    ``numpy.random.default_rng(seed)``, ``integers(0, n, n)`` per resample) so the two sides see
    the same resamples; the statistic is recomputed here with scipy."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(repeats):
        by_key: dict[str, list[float]] = defaultdict(list)
        for position in rng.integers(0, len(responses), size=len(responses)):
            by_key[responses[position][0]].append(responses[position][1])
        pairs = [pair for scores in by_key.values() for pair in itertools.permutations(scores, 2)]
        values.append(stats.spearmanr(*zip(*pairs)).statistic / RELIABILITY)
    return float(np.nanmean(values))


def independent(rows: list[dict], truth: dict[tuple[str, str], float]) -> dict[tuple[str, str], dict[str, float]]:
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row["template_type"] == "survey_hypothetical":
            cells[(row["model_name"], row["language"])].append(row)
    found = {}
    for (model, language), cell_rows in sorted(cells.items()):
        native = [
            r
            for r in cell_rows
            if r["response_language"] == r["language"] and (language, r["question_key"].lower()) in truth
        ]
        scores = [float(r["response_pro_score"]) for r in native]
        rho = stats.spearmanr(scores, [truth[(language, r["question_key"].lower())] for r in native]).statistic
        stale = stats.spearmanr(scores, [float(r["ground_truth_pro_score"]) for r in native]).statistic
        by_key: dict[str, list[float]] = defaultdict(list)
        for r in cell_rows:
            by_key[r["question_key"].lower()].append(float(r["response_pro_score"]))
        pairs = [pair for values in by_key.values() for pair in itertools.permutations(values, 2)]
        consistency = stats.spearmanr(*zip(*pairs)).statistic / RELIABILITY
        scored = [(r["question_key"].lower(), float(r["response_pro_score"])) for r in cell_rows]
        found[(model, language)] = {
            "spearman_language": rho,
            "stale": stale,
            "self_consistency": consistency,
            "bootstrap": bootstrap_mean(scored),
            "rows": len(cell_rows),
            "rho_responses": len(native),
        }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()
    data_dir = os.environ.get("CULTUREVAL_DATA_DIR")
    if not data_dir:
        print(
            "set CULTUREVAL_DATA_DIR to the folder holding wvs_polarity/ground_truth_per_language.csv", file=sys.stderr
        )
        return 2
    with open(args.file, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = independent(rows, ground_truth(Path(data_dir)))
    scores, _, _ = score_rows("wvs_polarity", rows)
    worst, cells_off = 0.0, 0
    print(
        f"{'model':30s} {'lang':4s} {'rows':>4s} {'ρ n':>4s}  {'ρ indep.':>8s} {'ρ cultureval':>12s}  "
        f"{'SC indep.':>9s} {'SC cultureval':>13s}  {'SC boot. indep.':>15s} {'SC boot. cultureval':>19s}  "
        f"{'ρ vs file column':>16s}"
    )
    for (model, language), values in expected.items():
        ours = scores.get(model, {}).get(f"wvs_polarity_{language}", {})
        rho, consistency = ours.get("spearman_language"), ours.get("self_consistency")
        bootstrap, n_rho = ours.get("self_consistency_bootstrap_mean"), ours.get("spearman_language_n_responses")
        gap = max(
            abs(rho - values["spearman_language"]),
            abs(consistency - values["self_consistency"]),
            abs(bootstrap - values["bootstrap"]),
        )
        if n_rho != values["rho_responses"]:
            gap = max(gap, 1.0)  # a different set of responses is a failure whatever the numbers
        worst = max(worst, gap)
        cells_off += gap > args.tolerance
        print(
            f"{model[:30]:30s} {language:4s} {values['rows']:4d} {values['rho_responses']:4d}  "
            f"{values['spearman_language']:8.4f} {rho:12.4f}  {values['self_consistency']:9.4f} {consistency:13.4f}  "
            f"{values['bootstrap']:15.4f} {bootstrap:19.4f}  {values['stale']:16.4f}"
        )
    print(
        f"largest difference: {worst:.2e} (tolerance {args.tolerance:g}); cells beyond it: {cells_off} of {len(expected)}"
    )
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())

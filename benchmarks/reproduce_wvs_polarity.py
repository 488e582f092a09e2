"""Check cultureval's WVS-polarity metrics on the study's released per-response scores (prints
numbers).

    CULTUREVAL_DATA_DIR=../shared/data python benchmarks/reproduce_wvs_polarity.py \\
        all_lang_model_responses_with_scores.csv [--tolerance 0.02]

The file is the study's ``output/all_lang_model_responses_with_scores.csv``
(``jhrystrom/multicultural-alignment``; columns ``model_name, model_family, template_type,
language, response_language, question_key, response_pro_score, ground_truth_pro_score``). For
every model x prompt language it prints two computations of the study's definitions:

- independent (scipy on the file alone, written out here): ``spearman_language`` = Spearman ρ of
  ``response_pro_score`` vs the file's ``ground_truth_pro_score`` over the rows answered in the
  prompt's language; ``self_consistency`` = Spearman ρ over every ordered pair of distinct rows
  with the same question key, all rows of the prompt language, divided by 1 - 0.045;
- cultureval: ``cultureval score wvs_polarity`` on the same rows, with cultureval's own ground
  truth files (``$CULTUREVAL_DATA_DIR`` or the pinned upstream commit),

and the largest difference; the exit status is 1 when it exceeds the tolerance.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from collections import defaultdict
from pathlib import Path

from scipy import stats

from cultureval.score import score_rows

RELIABILITY = 1 - 0.045


def independent(rows: list[dict]) -> dict[tuple[str, str], dict[str, float]]:
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row["template_type"] == "survey_hypothetical":
            cells[(row["model_name"], row["language"])].append(row)
    found = {}
    for cell, cell_rows in sorted(cells.items()):
        native = [r for r in cell_rows if r["response_language"] == r["language"]]
        rho = stats.spearmanr(
            [float(r["response_pro_score"]) for r in native], [float(r["ground_truth_pro_score"]) for r in native]
        ).statistic
        by_key: dict[str, list[float]] = defaultdict(list)
        for r in cell_rows:
            by_key[r["question_key"].lower()].append(float(r["response_pro_score"]))
        pairs = [pair for scores in by_key.values() for pair in itertools.permutations(scores, 2)]
        consistency = stats.spearmanr(*zip(*pairs)).statistic / RELIABILITY
        found[cell] = {"spearman_language": rho, "self_consistency": consistency, "n": len(cell_rows)}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.02)
    args = parser.parse_args()
    with open(args.file, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = independent(rows)
    scores, _, _ = score_rows("wvs_polarity", rows)
    worst = 0.0
    print(
        f"{'model':34s} {'lang':4s} {'n':>5s}  {'ρ indep.':>9s} {'ρ cultureval':>12s}  {'SC indep.':>9s} {'SC cultureval':>13s}"
    )
    for (model, language), values in expected.items():
        ours = scores.get(model, {}).get(f"wvs_polarity_{language}", {})
        rho, consistency = ours.get("spearman_language"), ours.get("self_consistency")
        worst = max(worst, abs(rho - values["spearman_language"]), abs(consistency - values["self_consistency"]))
        print(
            f"{model[:34]:34s} {language:4s} {values['n']:5d}  {values['spearman_language']:9.4f} {rho:12.4f}  "
            f"{values['self_consistency']:9.4f} {consistency:13.4f}"
        )
    print(f"largest difference: {worst:.4f} (tolerance {args.tolerance})")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())

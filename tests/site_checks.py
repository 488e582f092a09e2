"""What the site tests share: making the site from the published runs, reading summary.json,
and the ranking a task page must show (recomputed here from summary.json alone)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from published_runs import HOSTILE_MODEL

ORGANIZATION = ["--organization", "Test Org", "--evaluator-relationship", "third_party"]


def make_site(published_runs: list[Path], tiny_model: Path, data_dir: Path, folder: Path) -> Path:
    ids = ["--model-id", f"{tiny_model.name}=test-org/tiny-llama", "--model-id", f"{HOSTILE_MODEL}=test-org/evil"]
    run_cli(
        ["cultureval", "report", *map(str, published_runs), "--site", str(folder / "site"), *ORGANIZATION, *ids],
        data_dir,
        folder,
    )
    return folder / "site"


def summary(site: Path) -> list[dict]:
    return json.loads((site / "files" / "summary.json").read_text(encoding="utf-8"))


def row_key(row: dict) -> str:
    """How a page's run row names its run (cultureval.site.run_key)."""
    return "\n".join((row["model"], row["task"], row["harness"], row["rendering"] or "", row["source"]))


def expected_order(rows: list[dict]) -> list[str]:
    """The run keys in rank order: by value in the metric's direction, undefined last."""
    sign = -1 if rows[0]["higher_is_better"] else 1
    ordered = sorted(rows, key=lambda r: (r["value"] is None, sign * (r["value"] or 0.0), r["model"], r["harness"]))
    return [row_key(row) for row in ordered]


def shown(value) -> str:
    """How the site prints a number (cultureval.site.number_text), written out independently."""
    if value is None:
        return "n/a"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{value:g}"
    return f"{value:.4f}"

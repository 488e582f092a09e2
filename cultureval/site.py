"""``cultureval report RESULTS... --site DIR``: a static results site over the same runs.

Plain HTML and CSS files (one small inline script sorts tables; every page reads without it)
that open from disk or any static host — no server, no external script, font or style. Made
from the runs as :mod:`cultureval.runs` reads them and the report ranks them
(:func:`cultureval.report.ranked_runs`: each task's comparable sets from
:mod:`cultureval.comparability`, each ranked by the leaderboard metric in its own direction, with
the rows ``summary.json`` is written from), so a number or rank on the site is one of
``summary.json``:

- ``index.html``: the tasks by family, each task × rendering linked, the notes on comparability,
  the downloads (``files/summary.json``, ``summary.csv``, ``report.md``, the EEE records);
- ``tasks/<task>--<rendering>.html``: the runs of the page's reference comparable set (the one
  with the most model runs, full runs first) in their rank order with ``summary.json``'s ranks,
  the leaderboard metric's value and uncertainty, items, parse rate and limit; the baselines run
  on the same items and the family's yardsticks as reference rows (not ranked); and apart, the
  runs of every other comparable set with their rank in their own set and the reason (the
  identity parts that differ);
- ``items/<run>.html``: every logged item of one run: question, country or culture, the
  reference distribution beside the model's, the model's answer text;
- ``figures/<family>.html``: the report's figures (per country, per number of options, ...).

Every string from data or model output is escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from cultureval.comparability import differences, shown
from cultureval.families import family, family_names, family_of, table_of
from cultureval.runs import BASELINE, Run
from cultureval.site_items import item_fields

if TYPE_CHECKING:
    from cultureval.report import RankedRun
    from cultureval.report_inputs import Inputs

FILES = "files"  # the report's files (summary.json, figures, report.md) inside the site
EEE = "eee"  # the EEE records, inside FILES
# what a baseline records of the identity parts: it reads no prompt and has no fingerprints of
# documents or prompt, no rendering, shots or judge, so only these can set it apart
BASELINE_PARTS = ("task version", "data sha256", "--limit")


def slug(text: str) -> str:
    """A file name part from any text (model names come from data)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "x"
    return cleaned[:48].strip("-.") + "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def run_key(run: Run) -> str:
    """A run's identity on the site (summary rows carry the same fields)."""
    return "\n".join((run.model, run.task, run.harness, run.rendering, run.source))


def item_page(run: Run) -> str:
    return f"items/{slug(run.model + '-' + run.task + '-' + run.harness + '-' + run_key(run))}.html"


def task_page(task: str, rendering: str) -> str:
    return f"tasks/{slug(task + '--' + (rendering or 'unrecorded'))}.html"


def number_text(value) -> str:
    """How the site shows a number (4 decimals; counts as integers; ``n/a`` when undefined)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1):
        return f"{value:g}"
    return f"{value:.4f}"


# ------------------------------------------------------------------------------ comparability


def _part_reason(name: str, value, reference) -> str:
    if name == "--limit":
        if value and not reference:
            return f"run with --limit {value:g} (the first items only)"
        return "a full run" if not value else f"run with --limit {value:g} (ranked runs: --limit {reference:g})"
    return f"{name} {shown(value)} (ranked runs: {shown(reference)})"


def reason_apart(run: Run, reference: Run) -> str:
    """Why ``run`` is not ranked with ``reference``'s set: each identity part that differs
    (:func:`cultureval.comparability.differences`; for a baseline only :data:`BASELINE_PARTS`)."""
    parts = BASELINE_PARTS if run.harness == BASELINE else None
    found = differences(run, reference, parts)
    return "; ".join(_part_reason(name, value, ref) for name, value, ref in found)


def _reference_set(by_set: dict[str, list[RankedRun]]) -> str:
    """The comparable set a page ranks: the one with the most model runs (not baselines), full
    runs before limited ones, then the most runs."""

    def weight(key: str) -> tuple:
        members = by_set[key]
        models = sum(member.run.harness != BASELINE for member in members)
        return (models > 0, not any(member.run.limit for member in members), models, len(members), key)

    return max(by_set, key=weight)


def split_page(members: list[RankedRun]) -> tuple[list[RankedRun], list[RankedRun], list[tuple[RankedRun, str]]]:
    """``(ranked, baselines, apart)`` of one task × rendering: the model runs of the reference set
    (:func:`_reference_set`) in rank order; the baselines that stand beside them as reference
    rows (in the reference set, or differing from it in none of :data:`BASELINE_PARTS`); every
    other run with the reason it is not ranked with them."""
    by_set: dict[str, list[RankedRun]] = defaultdict(list)
    for member in members:
        by_set[member.comparable_set].append(member)
    key = _reference_set(by_set)
    reference = by_set[key][0].run
    ranked = [member for member in by_set[key] if member.run.harness != BASELINE]
    baselines, apart = [], []
    for member in members:
        if member.comparable_set == key and member.run.harness != BASELINE:
            continue
        reason = "" if member.comparable_set == key else reason_apart(member.run, reference)
        if member.run.harness == BASELINE and not reason:
            baselines.append(member)
        else:
            apart.append((member, reason or reason_apart(member.run, reference)))
    return ranked, baselines, apart


# ------------------------------------------------------------------------------ page data


def _value_cell(row: dict | None) -> dict:
    """A metric's cell: the value (and its exact number for checks), its uncertainty."""
    if row is None:
        return {"text": "n/a", "value": "", "uncertainty": ""}
    value, stderr, low, high = row["value"], row["stderr"], row["ci_low"], row["ci_high"]
    if stderr is not None:
        uncertainty = f"± {number_text(stderr)}"
    elif low is not None and high is not None:
        uncertainty = f"95% CI [{number_text(low)}, {number_text(high)}]"
    else:
        uncertainty = ""
    return {
        "text": number_text(value),
        "value": "" if value is None else repr(float(value)),
        "uncertainty": uncertainty,
    }


def _run_row(member: RankedRun, metric: str, reason: str = "") -> dict:
    """A run's row: its ``summary.json`` row of ``metric`` (value, uncertainty, parse rate) and rank."""
    run = member.run
    row = next((row for row in member.rows if row["metric"] == metric), None)
    parse = row["parse_rate"] if row else None
    return {
        "rank": member.rank,
        "model": run.model,
        "harness": run.harness,
        "metric": _value_cell(row),
        "n": "" if run.n is None else str(run.n),
        "parse_rate": number_text(parse) if parse is not None else "—",
        "parse_value": "" if parse is None else repr(float(parse)),
        "limit": f"{run.limit:g}" if run.limit else "—",
        "items_page": item_page(run) if run.has_samples else "",
        "reason": reason,
        "below": member.below,  # the know-nothing yardstick an unranked model scores worse than
        "key": run_key(run),
    }


def yardstick_rows(task: str, runs: list[Run], metric: str) -> list[dict]:
    """The family's yardsticks on the ranked runs' items (those of the first run with logged
    samples): reference rows, never ranked."""
    owner = family_of(task)
    source = next((run for run in runs if run.has_samples), None)
    if owner is None or owner.yardsticks is None or source is None:
        return []
    samples = list(source.samples())
    docs = [sample.doc for sample in samples if sample.doc]
    records = [sample.record for sample in samples if sample.record] or None
    found = owner.yardsticks(task, docs, records) if (docs or records) else {}
    rows = []
    for label, values in found.items():
        value = values.get(metric)
        stderr = values.get(f"{metric}_stderr")
        row = {"value": value, "stderr": stderr, "ci_low": None, "ci_high": None}
        rows.append(
            {"label": label, "metric": _value_cell(row), "n": values.get("n", ""), "about": values.get("about", "")}
        )
    return rows


def rendering_groups(ranked: list[RankedRun]) -> dict[tuple[str, str], list[RankedRun]]:
    """The ranked runs of each task × rendering. A baseline reads no prompt: it joins every
    rendering of its task (on its own only when no run of the task recorded one)."""
    groups: dict[tuple[str, str], list[RankedRun]] = defaultdict(list)
    promptless = []
    for member in ranked:
        run = member.run
        if run.harness == BASELINE and not run.rendering:
            promptless.append(member)
        else:
            groups[(run.task, run.rendering)].append(member)
    for member in promptless:
        renderings = [key for key in groups if key[0] == member.run.task and key[1]]
        for key in renderings or [(member.run.task, "")]:
            groups[key].append(member)
    return dict(groups)


def task_pages(ranked: list[RankedRun]) -> list[dict]:
    """Per task × rendering: the ranked rows, the baselines and yardsticks, the runs apart."""
    pages = []
    for (task, rendering), members in sorted(rendering_groups(ranked).items()):
        table = table_of(task)
        metric = table.leaderboard_metric
        described = table.describe(metric)
        models, baselines, apart = split_page(members)
        pages.append(
            {
                "task": task,
                "rendering": rendering or "not recorded",
                "family": family_of(task),
                "path": task_page(task, rendering),
                "metric": metric,
                "direction": "higher is better" if described and described.higher_is_better else "lower is better",
                "description": described.description if described else "",
                # models are ranked; baselines (reference "models") stand beside them, unranked
                "ranked": [_run_row(member, metric) for member in models],
                "baselines": [_run_row(member, metric) for member in baselines],
                "yardsticks": yardstick_rows(task, [member.run for member in models + baselines], metric),
                "apart": [_run_row(member, metric, reason) for member, reason in apart],
                "runs": [member.run for member in members],
            }
        )
    return pages


def _bars(options: tuple, reference: list | None, model: list | None) -> list[dict]:
    """One row per option: the reference and the model share (for the inline SVG bars)."""
    found = []
    for index, option in enumerate(options):
        ref = reference[index] if reference is not None and index < len(reference) else None
        mod = model[index] if model is not None and index < len(model) else None
        found.append(
            {
                "option": option,
                "reference": ref,
                "model": mod,
                "ref_text": number_text(ref),
                "model_text": number_text(mod),
            }
        )
    return found


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def item_rows(run: Run) -> list[dict]:
    """Every logged item of a run as the per-item page shows it."""
    table = table_of(run.task)
    shown_metrics = [m.name for m in table.metrics if "{" not in m.name]
    rows = []
    for sample in run.samples():
        fields = item_fields(run, sample)
        values = {name: sample.values[name] for name in shown_metrics if _is_number(sample.values.get(name))}
        rows.append(
            {
                "id": str(sample.doc_id),
                "question": fields["question"],
                "group": fields["group"],
                "bars": _bars(fields["options"], fields["reference"], fields["model"]),
                "reference_label": fields["reference_label"] or "reference",
                "outputs": list(sample.answers),
                "extraction": fields["extraction"],
                "item_metrics": {name: number_text(value) for name, value in values.items()},
            }
        )
    return rows


def figure_pages(output: Path) -> dict[str, list[dict]]:
    """The report's figures (``files/figures.json``) by the family that drew them."""
    manifest = output / FILES / "figures.json"
    found: dict[str, list[dict]] = defaultdict(list)
    for entry in json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else []:
        found[entry.get("family", "")].append(entry)
    return dict(found)


# ------------------------------------------------------------------------------ writing


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("cultureval", "site_templates"),
        autoescape=True,  # every string from data or model output is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _write(environment, template: str, path: Path, root: str, **context) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(environment.get_template(template).render(root=root, **context), encoding="utf-8")


def write_site(
    inputs: Inputs, ranked: list[RankedRun], output: Path, eee_files: list[Path], eee_note: str = ""
) -> Path:
    """Write the site into ``output`` (the report's files into ``output/files``) from the runs read
    (``inputs``, :func:`cultureval.report.read_report_inputs`) as the report ranks them
    (``ranked``, :func:`cultureval.report.ranked_runs`); ``eee_files``: the EEE records written
    under ``output/files/eee`` (``eee_note`` says why there are none). Returns ``index.html``."""
    from cultureval.report import write_report_files

    write_report_files(inputs, output / FILES, ranked)
    environment = _environment()
    pages = task_pages(ranked)
    figures = figure_pages(output)
    written: set[str] = set()
    for page in pages:
        _write(
            environment,
            "task.html.jinja",
            output / page["path"],
            "../",
            page=page,
            has_figures=page["family"].name in figures,
        )
        for run in page["runs"]:
            if run.has_samples and item_page(run) not in written:
                written.add(item_page(run))
                _write(
                    environment,
                    "items.html.jinja",
                    output / item_page(run),
                    "../",
                    run=run,
                    items=item_rows(run),
                    task_path=page["path"],
                )
    names = family_names()
    for name, entries in figures.items():
        owner = family(name) if name in names else None
        _write(
            environment,
            "figures.html.jinja",
            output / "figures" / f"{name or 'other'}.html",
            "../",
            title=owner.title if owner else "Figures",
            figures=entries,
        )
    by_family = defaultdict(list)
    for page in pages:
        by_family[page["family"].title].append(page)
    index = output / "index.html"
    _write(
        environment,
        "index.html.jinja",
        index,
        "",
        families=dict(by_family),
        notes=inputs.notes,
        eee=sorted(str(path.relative_to(output).as_posix()) for path in eee_files),
        eee_note=eee_note,
        figure_families=sorted(figures),
        family_titles={name: family(name).title for name in figures if name in names},
    )
    return index

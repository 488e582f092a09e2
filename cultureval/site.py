"""``cultureval report RESULTS... --site DIR``: a static results site over the same runs.

Plain HTML and CSS files (one small inline script sorts tables; every page reads without it)
that open from disk or any static host — no server, no external script, font or style. Made
from the runs the report reads (:func:`cultureval.publish.read_runs`) and the summary rows it
writes to ``summary.json`` (:func:`cultureval.report.summary_rows`), so a number on the site is
a number of ``summary.json``:

- ``index.html``: the tasks by family, each task × rendering linked, the notes on comparability,
  the downloads (``files/summary.json``, ``summary.csv``, ``report.md``, the EEE records);
- ``tasks/<task>--<rendering>.html``: the runs ranked by the task's leaderboard metric (with its
  uncertainty, items, parse rate and limit), the baselines run on the same items and the family's
  yardsticks as reference rows (unranked), and apart from the ranking the runs that are not
  comparable, with the reason;
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

from cultureval.families import FAMILY_NAMES, family, family_of, table_of
from cultureval.report_inputs import Inputs
from cultureval.report_tools import Run
from cultureval.site_items import extraction

FILES = "files"  # the report's files (summary.json, figures, report.md) inside the site
EEE = "eee"  # the EEE records, inside FILES


def slug(text: str) -> str:
    """A file name part from any text (model names come from data)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "x"
    return cleaned[:48].strip("-.") + "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def run_key(run: Run) -> str:
    """A run's identity on the site (summary rows carry the same fields)."""
    return "\n".join((run.model, run.task, run.harness, run.rendering, run.source))


def row_key(row: dict) -> str:
    return "\n".join((row["model"], row["task"], row["harness"], row["rendering"] or "", row["source"]))


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


def comparability(run: Run) -> tuple:
    """What two runs of one task × rendering must share to be ranked together."""
    version = run.version if run.version else (None, None)
    return (version[0], version[1], run.limit, run.run_info.get("status", "success"))


def split_comparable(runs: list[Run]) -> tuple[list[Run], list[tuple[Run, str]]]:
    """The runs ranked together (the largest set of full runs that share task version, data and
    limit) and the others, each with the reason it is not ranked with them."""
    groups: dict[tuple, list[Run]] = defaultdict(list)
    for run in runs:
        groups[comparability(run)].append(run)
    reference = max(groups, key=lambda key: (key[2] is None, key[3] == "success", len(groups[key]), str(key)))
    apart = []
    for key, members in groups.items():
        if key == reference:
            continue
        for run in members:
            apart.append((run, _reason(key, reference)))
    return groups[reference], apart


def _reason(key: tuple, reference: tuple) -> str:
    reasons = []
    if key[2] != reference[2]:
        reasons.append(f"run with --limit {key[2]:g} (the first items only)" if key[2] else "a full run")
    if key[0] != reference[0]:
        reasons.append(f"task version {key[0]} (ranked runs: {reference[0]})")
    if key[1] != reference[1]:
        reasons.append(f"data sha256 {str(key[1])[:12]} (ranked runs: {str(reference[1])[:12]})")
    if key[3] != reference[3]:
        reasons.append(f"Inspect log status {key[3]!r}: partial")
    return "; ".join(reasons)


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


def _run_row(rank, run: Run, rows: dict, metric: str, reason: str = "") -> dict:
    row = rows.get((run_key(run), metric))
    parse = row["parse_rate"] if row else None
    return {
        "rank": rank,
        "model": run.model,
        "harness": run.harness,
        "metric": _value_cell(row),
        "n": "" if run.n is None else str(run.n),
        "parse_rate": number_text(parse) if parse is not None else "—",
        "parse_value": "" if parse is None else repr(float(parse)),
        "limit": f"{run.limit:g}" if run.limit else "—",
        "items_page": item_page(run) if run.samples else "",
        "reason": reason,
        "key": run_key(run),
    }


def yardstick_rows(task: str, runs: list[Run], metric: str) -> list[dict]:
    """The family's yardsticks on the ranked runs' items (those of the first run with logged
    samples): reference rows, never ranked."""
    owner = family_of(task)
    source = next((run for run in runs if run.samples), None)
    if owner is None or owner.yardsticks is None or source is None:
        return []
    docs = [sample["doc"] for sample in source.samples if sample.get("doc")]
    records = [sample["record"] for sample in source.samples if sample.get("record")] or None
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


def rendering_groups(runs: list[Run]) -> dict[tuple[str, str], list[Run]]:
    """The runs of each task × rendering. A baseline reads no prompt: it joins every rendering
    of its task (on its own only when no run of the task recorded one)."""
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    promptless = []
    for run in runs:
        if family_of(run.task) is None:
            continue
        if run.harness == "baseline" and not run.rendering:
            promptless.append(run)
        else:
            groups[(run.task, run.rendering)].append(run)
    for run in promptless:
        renderings = [key for key in groups if key[0] == run.task and key[1]]
        for key in renderings or [(run.task, "")]:
            groups[key].append(run)
    return dict(groups)


def task_pages(inputs: Inputs, summary: list[dict]) -> list[dict]:
    """Per task × rendering: the ranked rows, the yardsticks, the runs apart, the family."""
    from cultureval.report import ranked

    rows = {(row_key(row), row["metric"]): row for row in summary}
    groups = rendering_groups(inputs.runs)
    pages = []
    for (task, rendering), runs in sorted(groups.items()):
        table = table_of(task)
        metric = table.leaderboard_metric
        described = table.describe(metric)
        comparable, apart = split_comparable(runs)
        models = [run for run in comparable if run.harness != "baseline"]
        baselines = [run for run in comparable if run.harness == "baseline"]
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
                "ranked": [_run_row(rank, run, rows, metric) for rank, run in ranked(models)],
                "baselines": [_run_row(None, run, rows, metric) for _, run in ranked(baselines)],
                "yardsticks": yardstick_rows(task, comparable, metric),
                "apart": [_run_row(None, run, rows, metric, reason) for run, reason in apart],
                "runs": runs,
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
    from cultureval.site_items import item_fields

    table = table_of(run.task)
    shown = [m.name for m in table.metrics if "{" not in m.name]
    rows = []
    for sample in run.samples or []:
        fields = item_fields(run, sample)
        logged = sample.get("values") or {}
        values = {name: logged[name] for name in shown if _is_number(logged.get(name))}
        rows.append(
            {
                "id": sample["id"],
                "question": fields["question"],
                "group": fields["group"],
                "bars": _bars(fields["options"], fields["reference"], fields["model"]),
                "reference_label": fields["reference_label"] or "reference",
                "outputs": sample.get("outputs") or [],
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


def write_site(inputs: Inputs, output: Path, eee_files: list[Path], eee_note: str = "") -> Path:
    """Write the site into ``output`` (the report's files into ``output/files``); ``eee_files``:
    the EEE records written under ``output/files/eee`` (``eee_note`` says why there are none).
    Returns ``index.html``."""
    from cultureval.report import summary_rows, write_report_files

    write_report_files(inputs, output / FILES)
    summary = summary_rows(inputs.runs)
    environment = _environment()
    pages = task_pages(inputs, summary)
    figures = figure_pages(output)
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
            if run.samples:
                _write(
                    environment,
                    "items.html.jinja",
                    output / item_page(run),
                    "../",
                    run=run,
                    items=item_rows(run),
                    task_path=page["path"],
                    extraction=extraction(run, run.samples[0]),
                )
    for name, entries in figures.items():
        owner = family(name) if name in FAMILY_NAMES else None
        _write(
            environment,
            "figures.html.jinja",
            output / "figures" / f"{name or 'other'}.html",
            "../",
            title=owner.title if owner else "Figures",
            figures=entries,
        )
    families = defaultdict(list)
    for page in pages:
        families[page["family"].title].append(page)
    eee = sorted(str(path.relative_to(output).as_posix()) for path in eee_files)
    index = output / "index.html"
    _write(
        environment,
        "index.html.jinja",
        index,
        "",
        families=dict(families),
        notes=inputs.notes,
        eee=eee,
        eee_note=eee_note,
        figure_families=sorted(figures),
        family_titles={n: family(n).title for n in figures if n in FAMILY_NAMES},
    )
    return index

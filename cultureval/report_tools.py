"""What the report engine and the families' report sections share: the :class:`Run` record of
one task run (:class:`cultureval.runs.Run`, re-exported here), number formatting, and the
figure helpers (every figure is listed with its title, axis labels and legend in
``figures.json``)."""

from __future__ import annotations

import hashlib
import json
import re
import weakref
from pathlib import Path

from cultureval.runs import Run


def yardsticks_of(run: Run) -> dict[str, dict]:
    """The family's yardsticks (``Family.yardsticks(task, docs)``) scored on the run's own logged
    documents — ``{label: {metric: value, "n": items, "about": text}}`` — computed once per run;
    ``{}`` when the run logged no documents, fewer than its results count
    (:func:`missing_samples`), or the family has no yardsticks. The same function and items as
    ``cultureval run``'s console table."""
    if run.yardsticks is None:
        from cultureval.families import family_of

        owner = family_of(run.task)
        docs = run.docs
        usable = docs is not None and len(docs) > 0 and not missing_samples(run)
        run.yardsticks = owner.yardsticks(run.task, docs) if owner and owner.yardsticks and docs and usable else {}
    return run.yardsticks


def missing_samples(run: Run) -> str:
    """``""`` when the logged documents are all the run's items; else a line saying how many of
    the items the run's results count (``n``) its samples hold: a truncated or edited samples
    file, whose yardsticks would be scored on other items than the run's number."""
    docs = run.docs
    if docs is None or run.n is None or len(docs) >= run.n:
        return ""
    return f"its samples hold {len(docs)} of the {run.n} items its results count"


_ITEM_SET_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def item_set_key(run: Run) -> tuple[str, str] | None:
    """``(task, sha256 of the logged documents)``: runs with equal keys were scored on the same
    items (their yardsticks are equal); ``None`` for a run without logged documents. Hashed
    once per run."""
    if run not in _ITEM_SET_KEYS:
        docs = run.docs
        # the same items in another order (lm-eval and Inspect log them differently) are one set
        text = json.dumps(sorted(json.dumps(d, sort_keys=True, default=str) for d in docs)).encode() if docs else None
        _ITEM_SET_KEYS[run] = (run.task, hashlib.sha256(text).hexdigest()) if text else None
    return _ITEM_SET_KEYS[run]


def distinct_item_sets(runs: list[Run]) -> list[Run]:
    """One run per distinct set of logged documents (:func:`item_set_key`; the first), so
    yardsticks shown beside several runs of the same items are shown once; runs without
    documents are left out."""
    seen, kept = set(), []
    for run in runs:
        key = item_set_key(run)
        if key is not None and key not in seen:
            seen.add(key)
            kept.append(run)
    return kept


def uncertainty(run: Run, metric: str) -> str:
    stderr = run.metrics.get(f"{metric}_stderr")
    if stderr is not None:
        return f"± {stderr:.3f}"
    low, high = run.metrics.get(f"{metric}_ci_low"), run.metrics.get(f"{metric}_ci_high")
    if low is not None and high is not None:
        return f"95% CI [{low:.3f}, {high:.3f}]"
    return "n/a"


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Figures:
    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest: list[dict] = []
        self.family = ""  # the family whose report section is drawing (set by the report)

    def save(self, figure, name: str) -> str:
        axes = figure.axes[0]
        legend = axes.get_legend()
        entry = {
            "file": f"{name}.png",
            "title": axes.get_title(),
            "xlabel": axes.get_xlabel(),
            "ylabel": axes.get_ylabel(),
            "legend": [text.get_text() for text in legend.get_texts()] if legend else [],
            "xticks": [label.get_text() for label in axes.get_xticklabels()],
            "family": self.family,
        }
        figure.savefig(self.folder / entry["file"], dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(figure)
        self.manifest.append(entry)
        return entry["file"]


def colours(models: list[str]) -> dict[str, str]:
    import matplotlib

    palette = matplotlib.colormaps["tab10"]
    return {model: matplotlib.colors.to_hex(palette(i % 10)) for i, model in enumerate(models)}


def new_figure(height: float = 4.0, width: float = 7.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def bar_figure(
    name: str,
    title: str,
    xlabel: str,
    ylabel: str,
    groups: list[str],
    series: dict[str, list[float | None]],
    figures: Figures,
    reference: dict[str, float] | None = None,
    reference_label: str = "",
    errors: dict[str, list[tuple[float, float] | None]] | None = None,
) -> str | None:
    """Grouped bars, one series per run. A missing value is drawn as "n/a" (not as an empty
    bar that reads as 0); ``errors`` gives each bar's (low, high) as an error bar. A figure with
    no value at all is not drawn (``None``)."""
    import numpy as np

    if not groups or all(v is None for values in series.values() for v in values):
        return None
    figure, axes = new_figure(width=max(6.0, 0.6 * len(groups) * max(1, len(series)) + 2))
    palette = colours(list(series))
    width = 0.8 / max(1, len(series))
    for index, (label, values) in enumerate(series.items()):
        xs = np.arange(len(groups)) + index * width - 0.4 + width / 2
        heights = [np.nan if v is None else v for v in values]
        axes.bar(xs, heights, width=width, color=palette[label], label=label)
        for x, (value, interval) in zip(xs, zip(values, (errors or {}).get(label) or [None] * len(values))):
            if value is None:
                axes.text(x, 0, "n/a", ha="center", va="bottom", fontsize=6, rotation=90, color="grey")
            elif value == 0:  # a real 0 has no height: a thick stroke in the series' colour says it is there
                axes.plot(
                    [x - width / 2, x + width / 2], [0, 0], color=palette[label], linewidth=3, solid_capstyle="butt"
                )
            elif interval is not None:
                low, high = interval
                axes.errorbar(
                    x, value, yerr=[[max(value - low, 0)], [max(high - value, 0)]], color="black", capsize=2, lw=0.8
                )
    if reference:
        for i, group in enumerate(groups):
            if group in reference:
                axes.hlines(
                    reference[group],
                    i - 0.45,
                    i + 0.45,
                    colors="black",
                    linestyles="dashed",
                    label=reference_label
                    if i == 0 or reference_label not in axes.get_legend_handles_labels()[1]
                    else None,
                )
    axes.set_xticks(range(len(groups)), groups, rotation=30, ha="right", fontsize=8)
    axes.axhline(0, color="grey", linewidth=0.5)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    outside_legend(axes)
    return figures.save(figure, name)


def outside_legend(axes) -> None:
    """The legend to the right of the plot, where it covers no point or bar (the figure is
    saved with a tight bounding box, so it stays in the image)."""
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def interval(metrics: dict, name: str) -> tuple[float, float] | None:
    """A metric's (low, high): its 95% CI when recorded, else ± its standard error."""
    value = metrics.get(name)
    low, high = metrics.get(f"{name}_ci_low"), metrics.get(f"{name}_ci_high")
    if low is not None and high is not None:
        return low, high
    stderr = metrics.get(f"{name}_stderr")
    if value is not None and stderr is not None:
        return value - stderr, value + stderr
    return None


# ------------------------------------------------------------------------------ console tables

_AUXILIARY = re.compile(r"(_stderr|_ci_low|_ci_high|_n_topics|_n_responses|_pooled_n_topics)$")
ARROW = {True: "↑ higher is better", False: "↓ lower is better", None: ""}


def _value_text(metrics: dict, name: str) -> str:
    value = metrics.get(name)
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    text = f"{value:.4f}" if isinstance(value, float) and not float(value).is_integer() else f"{value:g}"
    if name.startswith("n_"):
        return text  # a count of this run (lm-eval 0.5 bootstraps a "stderr" even for those)
    stderr = metrics.get(f"{name}_stderr")
    low, high = metrics.get(f"{name}_ci_low"), metrics.get(f"{name}_ci_high")
    if isinstance(stderr, (int, float)) and stderr == stderr:
        return f"{text} ± {stderr:.4f}"
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        return f"{text} [{low:.3f}, {high:.3f}]"
    return text


def _table(task: str, table):
    from cultureval.families import family_of, table_of

    return table if table is not None else (table_of(task) if family_of(task) else None)


def metric_rows(task: str, metrics: dict, table=None) -> list[str]:
    """The metric names of ``metrics`` worth a row: the table's metrics (default: the task's; and
    the names its patterns produce), in table order, without stderr/CI/count companions."""
    table = _table(task, table)
    if table is None:
        return [name for name in metrics if not _AUXILIARY.search(name)]
    names = []
    for metric in table.metrics:
        if "{" in metric.name:
            names += sorted(n for n in metrics if metric.matches(n) and not _AUXILIARY.search(n) and n not in names)
        elif metric.name in metrics:
            names.append(metric.name)
    return names


def metrics_table(
    task: str, metrics: dict, yardsticks: dict[str, dict] | None = None, table=None, n: int | None = None
) -> str:
    """A console table of one task's metrics: value (± stderr or [95% CI]), direction, and a
    column per yardstick (its value of the same metric, where it has one); a last row ``n``
    gives the items each column was scored on (a yardstick's own ``n``)."""
    table = _table(task, table)
    yardsticks = yardsticks or {}
    header = ["metric", "value", "direction", *yardsticks]
    rows = []
    for name in metric_rows(task, metrics, table):
        described = table.describe(name) if table else None
        # counts (n_*) are facts about the run, not scores: no direction
        direction = ARROW[described.higher_is_better] if described and not name.startswith("n_") else ""
        rows.append([name, _value_text(metrics, name), direction, *(_value_text(y, name) for y in yardsticks.values())])
    if n is not None:
        rows.append(["n (items)", str(n), "", *(str(y.get("n", "")) for y in yardsticks.values())])
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += [f"  {name}: {y['about']}" for name, y in yardsticks.items() if y.get("about")]
    return "\n".join(lines)

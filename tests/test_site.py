"""``cultureval report --site``: the static results site read as HTML (the browser tier,
tests/test_site_browser.py, opens the same pages in Chromium): the ranked tables against
summary.json (order, ranks, comparable set), runs of another comparable set shown apart with
their own rank and the reason, model output escaped, no external resource, every local link
resolving; and (no model) which runs a page ranks, for every identity part."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from published_runs import HOSTILE_ANSWER, HOSTILE_MODEL
from site_checks import expected_order, make_site, row_key, shown, summary


class Page(HTMLParser):
    """The parts of a page the checks read: links, ids, and the run rows of the tables."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.rows: list[dict] = []  # tr.run: its table, data-key and the cells' attributes and text
        self.tags: list[str] = []
        self._table = ""
        self._cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
        if tag == "tr" and "run" in (attrs.get("class") or "").split():
            classes = (attrs.get("class") or "").split()
            self.rows.append({"table": self._table, "key": attrs["data-key"], "classes": classes, "cells": []})
        if tag == "td" and self.rows and self._cell is None:
            self._cell = {"class": attrs.get("class", ""), "value": attrs.get("data-value"), "text": ""}

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append(self._cell)
            self._cell = None
        if tag == "tr" and self.rows:
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


e2e = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(published_runs, tiny_model, fixture_data_dir, tmp_path_factory) -> Path:
    return make_site(published_runs, tiny_model, fixture_data_dir, tmp_path_factory.mktemp("site"))


def _cell(row: dict, name: str) -> dict:
    [cell] = [c for c in row["cells"] if name in c["class"].split()]
    return cell


@e2e
def test_ranked_tables_hold_summary_json(site):
    rows = summary(site)
    # a model's or baseline's rows; the yardsticks' rows (summary.json's ``yardstick`` column) are
    # the page's italic reference rows, compared in test_yardstick_rows_are_reference_rows
    lead = {row_key(r): r for r in rows if r["leaderboard"] and not r["yardstick"]}
    pages = sorted((site / "tasks").glob("*.html"))
    assert len(pages) >= 6
    on_pages = set()
    for path in pages:
        page = read_page(path)
        ranked = [r for r in page.rows if "ranked" in r["classes"]]
        assert ranked, path
        # the ranked runs in summary.json's order for the task's leaderboard metric and direction
        assert [r["key"] for r in ranked] == expected_order([lead[r["key"]] for r in ranked]), path
        # baselines are reference rows in the same table, never ranked
        assert all(lead[r["key"]]["harness"] != "baseline" for r in ranked)
        assert all(lead[r["key"]]["harness"] == "baseline" for r in page.rows if "baseline" in r["classes"])
        assert len({(lead[r["key"]]["task"]) for r in page.rows}) == 1
        # one comparable set is ranked; the runs apart belong to others, each ranked in its own
        [ranked_set] = {lead[r["key"]]["comparable_set"] for r in ranked}
        assert all(lead[r["key"]]["comparable_set"] != ranked_set for r in page.rows if r["table"] == "apart")
        for row in [r for r in page.rows if "ranked" in r["classes"] or r["table"] == "apart"]:
            rank = lead[row["key"]]["rank"]
            below = lead[row["key"]]["below_yardstick"]
            shown_rank = "—" if rank is None else str(rank)
            assert " ".join(_cell(row, "rank")["text"].split()) == shown_rank + (f" (below {below})" if below else "")
        for row in page.rows:
            expected = lead[row["key"]]
            value = _cell(row, "value")
            assert value["text"].strip() == shown(expected["value"])
            assert value["value"] == ("" if expected["value"] is None else repr(float(expected["value"])))
            assert _cell(row, "n")["text"].strip() == ("" if expected["n"] is None else str(expected["n"]))
            parse = _cell(row, "parse")
            assert parse["value"] == ("" if expected["parse_rate"] is None else repr(float(expected["parse_rate"])))
            on_pages.add(row["key"])
    assert on_pages == set(lead)  # every run of summary.json is on a page


@e2e
def test_runs_that_cannot_be_ranked_are_shown_apart_with_the_reason(site):
    [path] = [p for p in (site / "tasks").glob("*.html") if "global_opinion_jsd_binary" in p.name and "plain" in p.name]
    text = path.read_text(encoding="utf-8")
    page = read_page(path)
    apart = [r for r in page.rows if r["table"] == "apart"]
    [limited] = [r for r in apart if r["key"].startswith("baseline/uniform")]
    assert "run with --limit 3 (the first items only)" in _cell(limited, "reason")["text"]
    assert '<tr class="yardstick">' in text and "uniform" in text  # the yardsticks as reference rows


@e2e
def test_model_output_and_names_are_escaped(site):
    pages = list(site.rglob("*.html"))
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in text and 'onerror="window.__pwned' not in text, path
    items = [p for p in (site / "items").glob("*.html") if "window.__pwned = 1" in p.read_text(encoding="utf-8")]
    assert items  # the hostile answers are on the page, as text
    text = items[0].read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in text
    page = read_page(items[0])
    assert page.tags.count("script") == 1  # the page's own sorting script only
    assert HOSTILE_MODEL not in "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "evil&#34;&gt;&lt;img" in "".join(p.read_text(encoding="utf-8") for p in pages)
    assert HOSTILE_ANSWER.startswith("</pre>")


@e2e
def test_no_external_resource_and_every_local_link_resolves(site):
    for path in site.rglob("*.html"):
        page = read_page(path)
        for link in page.links:
            assert not re.match(r"^[a-z]+:", link), (path, link)  # no http(s):, no scheme at all
            target, _, anchor = link.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file(), (path, link)
            if anchor:
                assert anchor in read_page(resolved).ids, (path, link)
    downloads = read_page(site / "index.html").links
    assert "files/summary.json" in downloads and any(link.startswith("files/eee/data/") for link in downloads)


# ------------------------------------------------------------------------------ which runs a page ranks

SHA = {name: (name * 64)[:64] for name in "abcdef"}


def _run(model: str, value: float, harness: str = "lm-eval", **changes):
    """A run of global_opinion_jsd as the reader returns it, with a full identity block."""
    from cultureval.runs import Run

    block = {
        "task_version": 1.0,
        "data_source": {"sha256": SHA["a"]},
        "docs_sha256": SHA["b"],
        "prompt_sha256": SHA["c"],
        "shots": 0,
    }
    limit = changes.pop("limit", None)
    rendering = changes.pop("rendering", "plain")
    block |= changes
    return Run(
        model=model,
        harness=harness,
        task="global_opinion_jsd",
        metrics={"culture_sim": value},
        source=f"{model}.json",
        rendering=rendering,
        limit=limit,
        provenance=block,
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"prompt_sha256": SHA["d"]}, f"prompt (prompt_sha256) {SHA['d'][:12]} (ranked runs: {SHA['c'][:12]})"),
        ({"docs_sha256": SHA["e"]}, f"documents (docs_sha256) {SHA['e'][:12]} (ranked runs: {SHA['b'][:12]})"),
        ({"data_source": {"sha256": SHA["f"]}}, f"data sha256 {SHA['f'][:12]} (ranked runs: {SHA['a'][:12]})"),
        ({"task_version": 2.0}, "task version 2.0 (ranked runs: 1.0)"),
        ({"shots": 3}, "shots 3 (ranked runs: 0)"),
        ({"judge": {"name": "j", "prompt_version": "2"}}, "judge j 2 (ranked runs: not recorded)"),
        ({"limit": 5.0}, "run with --limit 5 (the first items only)"),
    ],
)
def test_a_run_of_another_comparable_set_is_apart_with_its_reason(changes, reason):
    """Three runs, two comparable and one differing in one identity part (the best value, so a
    page that ranked them together would put it first): the page ranks the two (ranks 1 and 2
    of summary.json), and shows the third apart, rank 1 of its own set, naming the part."""
    from cultureval.report import ranked_runs
    from cultureval.site import task_pages

    runs = [_run("worse", 0.5), _run("better", 0.7), _run("different", 0.9, **changes)]
    [page] = task_pages(ranked_runs(runs))
    assert [(row["rank"], row["model"]) for row in page["ranked"]] == [(1, "better"), (2, "worse")]
    [apart] = page["apart"]
    assert (apart["rank"], apart["model"], apart["reason"]) == (1, "different", reason)
    assert apart["metric"]["value"] == repr(0.9)


def test_baselines_are_reference_rows_unless_their_data_or_limit_differ():
    """A baseline reads no prompt (no rendering, no documents or prompt fingerprint): it stands
    beside the ranked runs of every rendering when task version, data and --limit agree, and is
    apart (with the reason) when they do not; it is never among the ranked rows."""
    from cultureval.report import ranked_runs
    from cultureval.site import task_pages

    bare = {"docs_sha256": None, "prompt_sha256": None, "shots": None, "rendering": ""}
    runs = [
        _run("model", 0.6),
        _run("model", 0.5, rendering="chat"),
        _run("baseline/uniform", 0.8, harness="baseline", **bare),
        _run("baseline/uniform", 0.9, harness="baseline", limit=3.0, **bare),
    ]
    pages = {page["rendering"]: page for page in task_pages(ranked_runs(runs))}
    assert set(pages) == {"plain", "chat"}
    for page in pages.values():
        assert [row["model"] for row in page["ranked"]] == ["model"]
        assert [(row["model"], row["limit"]) for row in page["baselines"]] == [("baseline/uniform", "—")]
        [apart] = page["apart"]
        assert apart["limit"] == "3" and apart["reason"] == "run with --limit 3 (the first items only)"

"""``cultureval report --site``: the static results site read as HTML (the browser tier,
tests/test_site_browser.py, opens the same pages in Chromium): the ranked tables against
summary.json, runs that cannot be ranked shown apart with the reason, model output escaped,
no external resource, every local link resolving."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from published_runs import HOSTILE_ANSWER, HOSTILE_MODEL
from site_checks import expected_order, make_site, row_key, shown, summary

pytestmark = pytest.mark.e2e


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


@pytest.fixture(scope="module")
def site(published_runs, tiny_model, fixture_data_dir, tmp_path_factory) -> Path:
    return make_site(published_runs, tiny_model, fixture_data_dir, tmp_path_factory.mktemp("site"))


def _cell(row: dict, name: str) -> dict:
    [cell] = [c for c in row["cells"] if name in c["class"].split()]
    return cell


def test_ranked_tables_hold_summary_json(site):
    rows = summary(site)
    lead = {row_key(r): r for r in rows if r["leaderboard"]}
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


def test_runs_that_cannot_be_ranked_are_shown_apart_with_the_reason(site):
    [path] = [p for p in (site / "tasks").glob("*.html") if "global_opinion_jsd_binary" in p.name and "plain" in p.name]
    text = path.read_text(encoding="utf-8")
    page = read_page(path)
    apart = [r for r in page.rows if r["table"] == "apart"]
    [limited] = [r for r in apart if r["key"].startswith("baseline/uniform")]
    assert "run with --limit 3 (the first items only)" in _cell(limited, "reason")["text"]
    assert '<tr class="yardstick">' in text and "uniform" in text  # the yardsticks as reference rows


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

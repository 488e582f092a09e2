"""The browser tier: the results site in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by selenium; nothing is downloaded at test time). ``.ci/browser-tier``
installs the browser and runs ``pytest -m browser``.

Checked in the browser's DOM, as a reader sees the pages opened from disk: the ranked order
and every number shown against summary.json, every link and anchor resolving, model output
shown as text and never run, the tables sorting on a click, and a screenshot (its path printed).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from published_runs import HOSTILE_ANSWER, HOSTILE_MODEL
from site_checks import expected_order, make_site, row_key, shown, summary

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CULTUREVAL_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CULTUREVAL_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).is_file():
            pytest.fail(f"{program}: not installed; .ci/browser-tier installs Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="cultureval-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(published_runs, tiny_model, fixture_data_dir, tmp_path_factory) -> Path:
    return make_site(published_runs, tiny_model, fixture_data_dir, tmp_path_factory.mktemp("site"))


def open_page(browser, path: Path) -> None:
    browser.get(path.resolve().as_uri())
    assert browser.execute_script("return document.readyState") == "complete"


def run_rows(browser, selector: str) -> list[dict]:
    """The run rows ``selector`` picks, as the browser shows them."""
    found = []
    for row in browser.find_elements("css selector", selector):
        cell = lambda name, row=row: row.find_element("css selector", f"td.{name}")  # noqa: E731
        found.append(
            {
                "key": row.get_attribute("data-key"),
                "model": cell("model").text,
                "value_text": cell("value").text,
                "value": cell("value").get_attribute("data-value"),
                "n": cell("n").text,
                "parse": cell("parse").get_attribute("data-value"),
            }
        )
    return found


def _rank_text(row: dict) -> str:
    """The rank cell the site shows for a summary.json row."""
    if row["rank"] is not None:
        return str(row["rank"])
    return f"— (below {row['below_yardstick']})" if row["below_yardstick"] else "—"


def test_ranked_order_and_every_number_equal_summary_json(browser, site):
    rows = summary(site)
    # runs' rows; summary.json's yardstick rows are the pages' italic reference rows
    lead = {row_key(r): r for r in rows if r["leaderboard"] and not r["yardstick"]}
    on_pages = set()
    for path in sorted((site / "tasks").glob("*.html")):
        open_page(browser, path)
        ranked = run_rows(browser, "#ranked tr.ranked")
        baselines = run_rows(browser, "#ranked tr.baseline")
        apart = run_rows(browser, "#apart tr.run")
        assert [r["key"] for r in ranked] == expected_order([lead[r["key"]] for r in ranked]), path
        # the ranks shown are summary.json's: 1, 2, ... in the ranked set, each apart run's in its own set
        for selector, rows in (("#ranked tr.ranked", ranked), ("#apart tr.run", apart)):
            ranks = [
                row.find_element("css selector", "td.rank").text
                for row in browser.find_elements("css selector", selector)
            ]
            assert ranks == [_rank_text(lead[r["key"]]) for r in rows]
        # 1, 2, ... for the runs with a value that are not below a know-nothing yardstick; those
        # below it (and runs without a value) are unranked, after them
        placed = [r for r in ranked if lead[r["key"]]["value"] is not None and not lead[r["key"]]["below_yardstick"]]
        assert [lead[r["key"]]["rank"] for r in placed] == list(range(1, len(placed) + 1))
        assert all(lead[r["key"]]["rank"] is None for r in ranked if r not in placed)
        assert len({lead[r["key"]]["comparable_set"] for r in ranked}) <= 1
        assert {lead[r["key"]]["harness"] for r in baselines} <= {"baseline"}
        assert "baseline" not in {lead[r["key"]]["harness"] for r in ranked}
        for row in ranked + baselines + apart:
            expected = lead[row["key"]]
            assert row["model"] == expected["model"]
            assert row["value_text"] == shown(expected["value"])
            assert row["value"] == ("" if expected["value"] is None else repr(float(expected["value"])))
            assert row["n"] == ("" if expected["n"] is None else str(expected["n"]))
            assert row["parse"] == ("" if expected["parse_rate"] is None else repr(float(expected["parse_rate"])))
            on_pages.add(row["key"])
        yardsticks = browser.find_elements("css selector", "#ranked tr.yardstick")
        assert all(y.find_element("css selector", "td").text == "ref." for y in yardsticks)
    assert on_pages == set(lead)


def _local(url: str) -> tuple[Path, str]:
    parsed = urlparse(url)
    assert parsed.scheme == "file", url  # nothing leaves the disk
    return Path(unquote(parsed.path)), parsed.fragment


def test_every_link_resolves(browser, site):
    """From the index, every page reachable: each link and image a file that exists, each
    anchor an element of its page."""
    to_visit, visited, checked = [site / "index.html"], set(), 0
    while to_visit:
        page = to_visit.pop()
        if page in visited:
            continue
        visited.add(page)
        open_page(browser, page)
        targets = [a.get_attribute("href") for a in browser.find_elements("css selector", "a[href]")]
        targets += [i.get_attribute("src") for i in browser.find_elements("css selector", "img[src]")]
        scripts = [s.get_attribute("src") for s in browser.find_elements("css selector", "script[src], link[href]")]
        assert not scripts, (page, scripts)  # no external script, font or style
        for images in browser.find_elements("css selector", "img"):
            assert browser.execute_script("return arguments[0].naturalWidth", images) > 0, (
                page,
                images.get_attribute("src"),
            )
        for url in targets:
            path, anchor = _local(url)
            assert path.is_file(), (page, url)
            checked += 1
            if anchor:
                open_page(browser, path)
                assert browser.find_elements("id", anchor), (page, url)
                open_page(browser, page)
            if path.suffix == ".html" and path not in visited:
                to_visit.append(path)
    assert len(visited) >= 10 and checked >= 30
    assert {p.resolve() for p in site.rglob("*.html")} == {p.resolve() for p in visited}  # no orphan page


def test_model_output_is_shown_as_text_and_never_run(browser, site):
    items = [p for p in (site / "items").glob("*.html") if "window.__pwned = 1" in p.read_text(encoding="utf-8")]
    assert items
    open_page(browser, items[0])
    assert browser.execute_script("return window.__pwned === undefined")
    answers = [element.text for element in browser.find_elements("css selector", "pre.answer")]
    assert answers and all(text == HOSTILE_ANSWER for text in answers)
    assert not browser.find_elements("css selector", 'img[src="x"]')
    for path in (site / "tasks").glob("*cot_binary*.html"):
        open_page(browser, path)
        assert browser.execute_script("return window.__pwned === undefined")
        models = [cell.text for cell in browser.find_elements("css selector", "td.model")]
        if HOSTILE_MODEL in models:
            break
    else:
        pytest.fail("the model named with markup is on no written-out task page")


def test_tables_sort_on_a_click_and_a_screenshot(browser, site, tmp_path):
    [path] = [p for p in (site / "tasks").glob("*.html") if "global_opinion_jsd_binary--plain" in p.name]
    open_page(browser, path)
    heading = browser.find_elements("css selector", "#ranked th")[3]  # the leaderboard metric
    heading.click()
    values = [
        float(v.get_attribute("data-sort") or "nan")
        for v in browser.find_elements("css selector", "#ranked tbody td:nth-child(4)")
    ]
    assert values == sorted(values)
    heading.click()
    values = [
        float(v.get_attribute("data-sort") or "nan")
        for v in browser.find_elements("css selector", "#ranked tbody td:nth-child(4)")
    ]
    assert values == sorted(values, reverse=True)
    open_page(browser, path)  # as it opens: ranked
    # the README's docs/site-screenshot.png: CULTUREVAL_SCREENSHOT=docs/site-screenshot.png pytest -m browser
    target = Path(os.environ.get("CULTUREVAL_SCREENSHOT", str(tmp_path / "site.png")))
    target.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(target))
    print(f"\nsite screenshot: {target}")
    from matplotlib.image import imread

    image = imread(target)
    assert image.shape[0] >= 600 and image.shape[1] >= 1000 and float(image[..., :3].std()) > 0.02

"""Bad data, degenerate inputs and hostile endpoints: each becomes a clear error naming the file
and line, or a counted skip, never a raw exception or a silent wrong number."""

from __future__ import annotations

import asyncio
import csv
import json
import math

import pytest
from conftest import run_cli
from fake_judge import FakeJudge, chat_completion, sensible
from fixtures import (
    CALI_ROWS,
    GLOBAL_OPINION_ROWS,
    write_cali,
    write_culturebank,
    write_fixture_data,
    write_global_opinions,
    write_wvs_polarity,
)

from cultureval import judge as judges
from cultureval.data_source import DataFileError
from cultureval.tasks.cali import loader as cali_loader
from cultureval.tasks.culturebank import loader as culturebank_loader
from cultureval.tasks.global_opinions import loader as opinions_loader
from cultureval.tasks.wvs_polarity import judge as polarity
from cultureval.tasks.wvs_polarity import loader as wvs_loader

# ------------------------------------------------------------------------------ unusable files


def _corrupt(path, line: int, byte: bytes = b"\xff") -> None:
    """Put a byte that is not UTF-8 at the start of ``line`` (1-based)."""
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = byte + lines[line - 1]
    path.write_bytes(b"\n".join(lines))


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    write_fixture_data(tmp_path)
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    wvs_loader.load_ground_truth.cache_clear()
    yield tmp_path
    wvs_loader.load_ground_truth.cache_clear()


@pytest.mark.parametrize(
    "relative, line, load",
    [
        ("global_opinions/global_opinions.csv", 3, lambda: opinions_loader.load()),
        ("cali/data.tsv", 2, lambda: cali_loader.load("us")),
        ("culturebank/culturebank_tiktok_subset1000.csv", 2, lambda: culturebank_loader.load("tiktok")),
        ("wvs_polarity/translated_prompts_with_english_no_controversy.csv", 4, lambda: wvs_loader.load("en")),
        ("wvs_polarity/stance_labels.json", 2, lambda: wvs_loader.load("en")),
        ("wvs_polarity/ground_truth_global.csv", 2, lambda: wvs_loader.load_ground_truth("x")),
    ],
)
def test_a_byte_that_is_not_utf8_names_the_file_and_line(data_dir, relative, line, load):
    _corrupt(data_dir / relative, line)
    with pytest.raises(DataFileError, match=rf"{relative.split('/')[-1]}, line {line}: byte 0xff is not UTF-8"):
        load()


@pytest.mark.parametrize(
    "relative, load",
    [
        ("global_opinions/global_opinions.csv", lambda: opinions_loader.load()),
        ("cali/data.tsv", lambda: cali_loader.load("us")),
        ("culturebank/culturebank_tiktok_subset1000.csv", lambda: culturebank_loader.load("tiktok")),
    ],
)
def test_a_huge_field_is_an_error_and_no_loader_changes_the_csv_field_limit(data_dir, relative, load):
    limit = csv.field_size_limit()
    opinions_loader.load()  # the loader that once raised the limit for the whole process
    assert csv.field_size_limit() == limit
    path = data_dir / relative
    rows = path.read_text(encoding="utf-8").split("\n")
    cells = rows[1].split("\t" if relative.endswith(".tsv") else ",")
    cells[0] = "x" * (limit + 10)
    rows[1] = ("\t" if relative.endswith(".tsv") else ",").join(cells)
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(DataFileError, match=r", line \d+: field larger than field limit"):
        load()
    assert csv.field_size_limit() == limit


def test_short_and_truncated_wvs_rows_name_the_line(data_dir):
    truth = data_dir / "wvs_polarity" / "ground_truth_every_country.csv"
    with open(truth, "a", encoding="utf-8") as handle:
        handle.write("US,F118\n")  # a row without pro_score
    with pytest.raises(
        DataFileError, match=r"ground_truth_every_country.csv, line 22: the row has no cell for \['pro_score'\]"
    ):
        wvs_loader.load_ground_truth("short")
    prompts = data_dir / "wvs_polarity" / "translated_prompts_with_english_no_controversy.csv"
    text = prompts.read_text(encoding="utf-8")
    prompts.write_text(text[: text.index("\n", 200) + 40], encoding="utf-8")  # cut inside a row
    with pytest.raises(
        DataFileError, match=r"translated_prompts_with_english_no_controversy.csv, line \d+: the row has no cell"
    ):
        wvs_loader.load("en")


@pytest.mark.parametrize("value", ["7.5", "nan", "-1.5"])
def test_an_impossible_human_ceiling_is_an_error(data_dir, value):
    path = data_dir / "wvs_polarity" / "gt_self_consistency.csv"
    path.write_text(f"cntry_AN,self_consistency\nUS,0.66\nGB,{value}\n", encoding="utf-8")
    with pytest.raises(
        DataFileError, match=r"gt_self_consistency.csv, line 3: self_consistency .* correlation in \[-1, 1\]"
    ):
        wvs_loader.load_ground_truth("ceiling")


# ------------------------------------------------------------------------------ implausible data


def test_implausible_sums_and_duplicates_are_counted_skips(tmp_path, monkeypatch):
    rows = [
        (
            "Sums far from one?",
            "['Yes', 'No']",
            {"Peru": [0.01, 0.0], "Chile": [60.0, 40.0], "Ghana": [0.6, 0.4]},
            "GAS",
        ),
        ("Asked twice?", "['Yes', 'No']", {"Peru": [0.5, 0.5]}, "GAS"),
        ("Asked twice?", "['Yes', 'No']", {"Peru": [0.9, 0.1]}, "GAS"),
    ]
    path = write_global_opinions(tmp_path, rows)
    # a country written twice inside one selections literal (a dict would keep the last silently)
    text = path.read_text(encoding="utf-8").replace(
        "{'Ghana': [0.6, 0.4]}", "{'Ghana': [0.6, 0.4], 'Ghana': [0.1, 0.9]}"
    )
    text = text.replace(
        "'Chile': [60.0, 40.0], 'Ghana': [0.6, 0.4]}",
        "'Chile': [60.0, 40.0], 'Ghana': [0.6, 0.4], 'Ghana': [0.1, 0.9]}",
    )
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    loaded = opinions_loader.load()
    by_key = {(d["question"], d["survey_country"]): d["survey_distribution"] for d in loaded.docs}
    assert by_key == {
        ("Sums far from one?", "Ghana"): [0.6, 0.4],
        ("Asked twice?", "Peru"): [0.5, 0.5],  # the first occurrence counts
    }
    assert loaded.source.skipped == {"implausible_sum": 2, "duplicate": 2}


def test_a_cali_file_cut_at_a_row_boundary_is_partial(tmp_path, monkeypatch):
    write_cali(tmp_path, CALI_ROWS)
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cali_loader, "UPSTREAM_PAIRS", len(CALI_ROWS))
    assert cali_loader.load("us")[1].partial is False
    monkeypatch.setattr(cali_loader, "UPSTREAM_PAIRS", 2228)
    docs, source = cali_loader.load("in")
    assert source.partial is True and len(docs) == len(CALI_ROWS)


def test_every_upstream_source_is_pinned_to_a_commit():
    hex40 = r"^[0-9a-f]{40}$"
    import re

    assert re.match(hex40, opinions_loader.HUB_REVISION)
    assert re.match(hex40, culturebank_loader.HUB_REVISION)
    assert re.match(hex40, cali_loader.COMMIT)
    assert all(re.match(hex40, commit) for commit in wvs_loader.PINNED.values())


# ------------------------------------------------------------------------------ hostile endpoints


def _judge(base_url, **settings):
    return judges.OpenAICompatibleJudge(
        judges.JudgeConfig(model="fake-judge", base_url=base_url, backoff=0.01, **settings)
    )


@pytest.mark.parametrize(
    "url, sent",
    [
        ("https://api.example.com/v1", True),
        ("http://127.0.0.1:8000/v1", True),
        ("http://localhost:8000/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://10.0.0.7:8000/v1", False),
        ("http://judge.example.com/v1", False),
    ],
)
def test_the_api_key_goes_only_over_https_or_to_this_machine(monkeypatch, url, sent):
    monkeypatch.setenv("CULTUREVAL_JUDGE_API_KEY", "secret")
    transport = _judge(url)
    assert ("authorization" in transport._client.headers) is sent
    assert "authorization" in _judge(url, allow_insecure_key=True)._client.headers  # explicit opt-in
    asyncio.run(transport.aclose())


def test_embedded_credentials_are_never_recorded():
    transport = _judge("https://user:hunter2@judge.example.com:8443/v1")
    assert "hunter2" not in transport.name and "user" not in transport.name
    assert transport.name.endswith("@https://judge.example.com:8443/v1")
    assert "hunter2" not in transport.cache_name
    asyncio.run(transport.aclose())


def _polarity(transport, cache):
    async def go():
        try:
            return await polarity.judge_polarity(transport, "1. A says yes.", "X is good.", "X is bad.", cache=cache)
        finally:
            await transport.aclose()

    return asyncio.run(go())


def test_the_cache_tells_endpoints_apart_and_keeps_no_unreadable_reply(tmp_path):
    cache = judges.JudgeCache(tmp_path)
    with FakeJudge() as first, FakeJudge(lambda body, attempt: (200, chat_completion("I refuse."))) as broken:
        assert _polarity(_judge(first.base_url), cache).failure is None
        # the same model name on another server: asked there, not answered from the first's cache
        assert _polarity(_judge(broken.base_url), cache).failure == judges.FAILURE_UNPARSEABLE
        assert len(broken.requests) == 1
        # the unreadable reply was not cached: asking again reaches the server again
        assert _polarity(_judge(broken.base_url), cache).failure == judges.FAILURE_UNPARSEABLE
        assert len(broken.requests) == 2
        assert _polarity(_judge(first.base_url), cache).failure is None
        assert len(first.requests) == 1  # a readable reply is cached


def test_retry_after_is_obeyed():
    def throttled(body, attempt):
        return (429, "slow down", {"Retry-After": "1"}) if attempt == 1 else sensible(body, attempt)

    with FakeJudge(throttled) as server:
        result = _polarity(_judge(server.base_url, max_retries=2), None)
    assert result.failure is None and len(server.requests) == 2
    # the retry waited as told (1 s), not the 0.01 s backoff
    assert server.requests[1]["time"] - server.requests[0]["time"] >= 0.95


def test_retry_after_values():
    class Response:
        def __init__(self, value):
            self.headers = {"retry-after": value} if value is not None else {}

    assert judges.retry_after_seconds(Response("3"), 120) == 3.0
    assert judges.retry_after_seconds(Response("900"), 120) == 120.0  # capped
    assert judges.retry_after_seconds(Response("Wed, 21 Oct 2015 07:28:00 GMT"), 120) == 0.0  # a past date
    assert judges.retry_after_seconds(Response("soon"), 120) is None
    assert judges.retry_after_seconds(Response(None), 120) is None


def _lm_eval_output(folder, task="wvs_polarity_en"):
    """A minimal lm-eval output folder with one logged generation per fixture prompt."""
    folder.mkdir(parents=True)
    stamp = "2026-01-01T00-00-00"
    (folder / f"results_{stamp}.json").write_text(json.dumps({"results": {task: {"alias": task}}, "model_name": "m"}))
    doc = {
        "question_key": "f118",
        "language": "en",
        "template_id": 0,
        "pro_statement": "Homosexuality is justifiable.",
        "con_statement": "Homosexuality is not justifiable.",
    }
    line = {"doc_id": 0, "doc": doc, "filtered_resps": ["1. A agrees. 2. B disagrees."], "filter": "none"}
    (folder / f"samples_{task}_{stamp}.jsonl").write_text(json.dumps(line) + "\n")


def test_judge_checks_the_data_before_the_first_call(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    _lm_eval_output(tmp_path / "out")
    with FakeJudge() as server:
        result = run_cli(
            [
                "cultureval",
                "judge",
                str(tmp_path / "out"),
                "--judge-model",
                "fake-judge",
                "--judge-base-url",
                server.base_url,
            ],
            empty,
            tmp_path,
            check=False,
        )
    assert result.returncode == 2 and "ground_truth_every_country.csv: file not found" in result.stderr
    assert server.requests == []  # nothing paid for


def test_judge_against_a_dead_endpoint_exits_non_zero(tmp_path):
    data = write_fixture_data(tmp_path / "data")
    _lm_eval_output(tmp_path / "out")
    with FakeJudge() as server:
        dead = server.base_url  # closed when the block ends
    result = run_cli(
        ["cultureval", "judge", str(tmp_path / "out"), "--judge-model", "m", "--judge-base-url", dead],
        data,
        tmp_path,
        check=False,
        env_extra={"CULTUREVAL_JUDGE_CACHE": "0"},
    )
    assert result.returncode == 1 and "every judgement failed" in result.stderr
    judged = json.loads(next((tmp_path / "out").glob("results_judged_*.json")).read_text())
    assert judged["cultureval_judge"]["tasks"]["wvs_polarity_en"]["failures"] == {"transport": 1}


def test_fixture_rows_are_unchanged_by_the_hardening(data_dir):
    """The fixture's own quirks still load as before: only the all-zero and wrong-length
    samples are skipped."""
    loaded = opinions_loader.load()
    assert loaded.source.skipped == {"all_zero": 1, "length_mismatch": 1}
    assert len({d["question"] for d in loaded.docs}) == len(GLOBAL_OPINION_ROWS)
    assert not math.isnan(sum(d["survey_distribution"][0] for d in loaded.docs))
    write_culturebank(data_dir, "tiktok")
    write_wvs_polarity(data_dir)
    assert wvs_loader.load("en")[1].partial is True  # the fixture has 10 of the release's 300 prompts


def test_the_report_notes_a_judged_file_without_a_single_judgement(tmp_path):
    data = write_fixture_data(tmp_path / "data")
    _lm_eval_output(tmp_path / "out")
    with FakeJudge() as server:
        dead = server.base_url
    run_cli(
        ["cultureval", "judge", str(tmp_path / "out"), "--judge-model", "m", "--judge-base-url", dead],
        data,
        tmp_path,
        check=False,
        env_extra={"CULTUREVAL_JUDGE_CACHE": "0"},
    )
    run_cli(["cultureval", "report", str(tmp_path / "out"), "-o", str(tmp_path / "report")], data, tmp_path)
    report = (tmp_path / "report" / "report.md").read_text()
    assert "wvs_polarity_en: not one of 1 judgements succeeded (transport 1)" in report

"""CultureBank: loader on upstream-format fixtures (skips, partial copies, the test part), the
prompt, and the metrics on hand-built records."""

from __future__ import annotations

import pytest
from fixtures import CULTUREBANK_ITEMS, write_culturebank

from cultureval.data_source import DataFileError
from cultureval.tasks.culturebank import loader, prompts, scoring


def test_loader_counts_malformed_rows_and_flags_the_partial_copy(use_fixture_data):
    docs, source = loader.load("tiktok")
    assert len(docs) == len(CULTUREBANK_ITEMS)  # partial copy: every usable row, test part undefined
    assert source.partial is True
    assert source.skipped == {"missing_eval_question": 1}
    assert docs[1]["cultural_group"] == "Japanese" and docs[1]["topic"] == "Food and Dining"


def test_test_part_is_the_last_ten_percent_of_a_full_copy(tmp_path, monkeypatch):
    # 20 item rows + 1 malformed row = 21 rows; pretend 21 rows is the whole upstream split
    write_culturebank(tmp_path, "reddit", n_rows=20, name="culturebank_reddit.csv")
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(loader.UPSTREAM_MIN_ROWS, "reddit", 21)
    docs, source = loader.load("reddit", "test")
    # round(0.1 * 21) = 2 test rows: 19 and 20; row 20 is the malformed one
    assert [d["row"] for d in docs] == [19] and source.partial is False
    assert source.location.endswith("culturebank_reddit.csv")
    assert len(loader.load("reddit", "all")[0]) == 20
    with pytest.raises(ValueError, match="part"):
        loader.load("reddit", "train")


def test_missing_column_is_a_clear_error(tmp_path, monkeypatch):
    path = write_culturebank(tmp_path, "tiktok")
    path.write_text(path.read_text().replace("eval_whole_desc", "eval_desc", 1))
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match=r"missing columns \['eval_whole_desc'\]"):
        loader.load("tiktok")


def test_prompt_carries_scenario_persona_and_question(use_fixture_data):
    doc = loader.load("tiktok")[0][1]
    text = prompts.doc_to_text(doc)
    assert text.index("Travel Advising") < text.index("student from Ohio") < text.index("How much should I tip")
    assert doc["eval_whole_desc"] not in text  # the knowledge is for the judge only


def test_summary_by_hand():
    records = [
        {"score": 0.9, "topic": "Food", "cultural_group": "Japanese"},
        {"score": 0.4, "topic": "Food", "cultural_group": "American"},
        {"score": 0.6, "topic": "Dress", "cultural_group": "American"},
        {"score": None, "topic": "Dress", "cultural_group": "American"},  # judge failed
    ]
    summary = scoring.summarise(records)
    assert summary["entailment_score"] == pytest.approx((0.9 + 0.4 + 0.6) / 3)
    # sample sd of (0.9, 0.4, 0.6): mean 0.6333, squares 0.07111 + 0.05444 + 0.00111 = 0.12667
    assert summary["entailment_score_stderr"] == pytest.approx((0.12667 / 2) ** 0.5 / 3**0.5, rel=1e-3)
    assert summary["entail_rate"] == pytest.approx(2 / 3)
    assert summary["judge_parse_rate"] == pytest.approx(3 / 4) and summary["n_judge_failures"] == 1
    assert summary["entailment_score|topic=Food"] == pytest.approx(0.65)
    assert summary["entailment_score|topic=Dress"] == pytest.approx(0.6)
    assert summary["entailment_score|group=American"] == pytest.approx(0.5)
    empty = scoring.summarise([{"score": None, "topic": "x", "cultural_group": "y"}])
    assert empty["entailment_score"] is None and empty["judge_parse_rate"] == 0.0

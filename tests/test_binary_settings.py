"""The three-setting binary study (Bravansky, Trhlik & Barez 2025): strict reading, per-item
metrics against scipy and hand-worked examples, the open-conversation judge, and end to end on
the tiny model (lm-eval + ``cultureval judge`` against a fake judge, Inspect) with the metrics
recomputed from the logged samples; then ``cultureval binary-settings`` and ``export-sft``."""

from __future__ import annotations

import asyncio
import csv
import json
import pickle
from collections import Counter, defaultdict

import numpy as np
import pytest
from conftest import run_cli
from fake_judge import FakeJudge, stance_reply
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from cultureval.judge import JudgeReply
from cultureval.tasks.binary_settings import baselines, judge, lm_eval_hooks, prompts, scoring
from cultureval.tasks.binary_settings.scoring import read_choice, read_final_choice
from cultureval.tasks.global_opinions import loader

OPTIONS = ["Approve", "Disapprove"]


# --- reading answers strictly -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", "1"),
        (" 2\n", "2"),
        ("(2)", "2"),
        ("2.", "2"),
        ("**2**", "2"),
        ("Answer: 1", "1"),
        ("answer is 2", "2"),
        ("The answer is 3.", "withheld"),
        ("2. Disapprove", "2"),
        ("1) approve.", "1"),
        ("Disapprove", "2"),
        ('"Approve"', "1"),
        ("3", "withheld"),
        ("3. I would rather not say / it depends", "withheld"),
        ("It depends.", "withheld"),
        # unreadable: another number, a contradiction, a sentence, two numbers, nothing
        ("4", None),
        ("12", None),
        ("0", None),
        ("2. Approve", None),
        ("I think 2", None),
        ("1 because people like him", None),
        ("1 or 2", None),
        ("Approve or Disapprove", None),
        ("", None),
        ("   ", None),
    ],
)
def test_read_choice_is_strict(text, expected):
    assert read_choice(text, OPTIONS) == expected


def test_read_final_choice_reads_the_last_answer_line():
    assert read_final_choice("Some think 1.\nAnswer: 2", OPTIONS) == "2"
    assert read_final_choice("Answer: 1 is tempting... but\nAnswer: 2\n", OPTIONS) == "2"
    assert read_final_choice("Reasoning here.\n\n3", OPTIONS) == "withheld"  # no Answer: line: the last line
    assert read_final_choice("Answer: 2 because it is so", OPTIONS) is None  # strict on the answer line
    assert read_final_choice("people in Japan tend to", OPTIONS) is None  # cut off before the answer
    assert read_final_choice("", OPTIONS) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.sampled_from(["1", "2", "3"]))
def test_reading_never_raises_and_a_clean_answer_after_any_reasoning_is_read(reasoning, number):
    assert read_choice(reasoning, OPTIONS) in (None, "1", "2", "withheld")
    expected = "withheld" if number == "3" else number
    assert read_final_choice(reasoning + "\nAnswer: " + number, OPTIONS) == expected


@pytest.mark.parametrize("filler", [" " * 200_000, "1" * 200_000, "Answer:" * 30_000, "\n" * 100_000])
def test_degenerate_long_outputs_are_unreadable_not_slow(filler):
    # a linear reading: these megabyte-scale inputs return at once (a quadratic one would hang)
    assert read_choice(filler, OPTIONS) is None
    assert read_final_choice(filler, OPTIONS) is None


# --- per-item metrics -----------------------------------------------------------------------


def values_of(item, country, survey, labels):
    return [[item, country, survey[0], survey[1], label] for label in labels]


def test_item_metrics_against_scipy_and_hand_worked_values():
    survey = (0.7, 0.3)
    labels = ["1"] * 5 + ["2"] * 2 + ["withheld"] * 2 + ["unreadable"]
    [tally] = scoring.tallies(values_of("q|US", "US", survey, labels))
    metrics = tally.metrics()
    assert metrics["jsd"] == pytest.approx(jensenshannon([5 / 7, 2 / 7], survey, base=2))
    assert metrics["jsd_strict"] == pytest.approx(jensenshannon([0.5, 0.2, 0.3], [0.7, 0.3, 0.0], base=2))
    assert metrics["majority_agreement"] == 1.0  # modal option 1, survey majority 1
    assert metrics["withhold_rate"] == pytest.approx(0.2)
    assert metrics["unclassifiable_rate"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    "labels, survey, agreement",
    [
        (["2", "2", "1"], (0.7, 0.3), 0.0),  # modal option is the minority one
        (["1", "2"], (0.7, 0.3), 0.5),  # a tie: the expected agreement of a coin flip
        (["withheld", "unreadable"], (0.7, 0.3), None),  # no option chosen: undefined
        (["1", "1"], (0.5, 0.5), None),  # an exactly split survey has no majority
    ],
)
def test_majority_agreement_cases(labels, survey, agreement):
    [tally] = scoring.tallies(values_of("q|US", "US", survey, labels))
    assert tally.metrics()["majority_agreement"] == agreement


@pytest.mark.parametrize(
    "labels, survey, plain, strict",
    [
        # one readable sample of ten counted as much as ten of ten; strictly, nine non-answers win
        (["1"] + ["unreadable"] * 9, (0.7, 0.3), 1.0, 0.0),
        (["1"] * 10, (0.7, 0.3), 1.0, 1.0),
        (["1"] * 5 + ["withheld"] * 5, (0.7, 0.3), 1.0, 0.5),  # the majority ties with non-answers
        (["1", "2", "withheld"], (0.7, 0.3), 0.5, 1 / 3),  # a three-way tie
        (["1"] * 3 + ["withheld"] * 2 + ["unreadable"] * 2, (0.7, 0.3), 1.0, 0.0),  # non-answers pooled: 4 > 3
        (["withheld", "unreadable"], (0.7, 0.3), None, 0.0),  # no option at all: strictly a miss
        (["2"] * 4 + ["1"], (0.7, 0.3), 0.0, 0.0),
        (["1", "1"], (0.5, 0.5), None, None),  # an exactly split survey has no majority
    ],
)
def test_strict_majority_agreement_counts_non_answers_against_the_model(labels, survey, plain, strict):
    [tally] = scoring.tallies(values_of("q|US", "US", survey, labels))
    metrics = tally.metrics()
    assert metrics["majority_agreement"] == plain
    assert metrics["majority_agreement_strict"] == (None if strict is None else pytest.approx(strict))


def test_all_country_majority_pools_every_countrys_national_sample_once():
    def doc(question, country, first, sample=""):
        return {
            "question_id": question,
            "country": country,
            "country_sample": sample,
            "n_options": 2,
            "survey_distribution": [first, 1 - first],
        }

    docs = [
        # question 0: the four study countries lean to option 1, the world to option 2
        doc(0, "United States", 0.6),
        doc(0, "Japan", 0.55),
        doc(0, "Germany", 0.1),
        doc(0, "Kenya", 0.2),
        doc(0, "India", 0.9, "Non-national sample"),  # left out
        # question 1: India's plain sample wins over its current national one; the mean splits exactly
        doc(1, "India", 0.3),
        doc(1, "India", 0.9, "Current national sample"),
        doc(1, "Brazil", 0.7),
        # question 2: the current national sample stands in when there is no plain one
        doc(2, "India", 0.4, "Current national sample"),
    ]
    # by hand: q0 mean(0.6, 0.55, 0.1, 0.2) = 0.3625 < 0.5; q1 mean(0.3, 0.7) = 0.5; q2 0.4
    assert baselines.all_country_majority(docs) == {0: "2", 1: None, 2: "2"}


def test_yardsticks_on_the_runs_own_samples(use_fixture_data):
    docs = lm_eval_hooks.expand(loader.load("binary").docs, 3)
    found = baselines.yardsticks("binary_settings_classify", docs)
    # by hand from the fixture: six items; every survey but India's meat question (0.4/0.6)
    # has option 1 as its majority; pooled over all countries both questions lean to option 1
    items = {scoring.item_key(d): d["survey_distribution"] for d in docs}
    expected = np.mean([float(s[0] > s[1]) for s in items.values()])
    assert expected == pytest.approx(5 / 6)
    for label in ("always option 1", "all-country majority"):
        assert found[label]["majority_agreement"] == pytest.approx(expected)
        assert found[label]["majority_agreement_strict"] == pytest.approx(expected)
        assert found[label]["n"] == len(docs) == 18
        jsd = np.mean([jensenshannon([1, 0], s, base=2) for s in items.values()])
        assert found[label]["jsd"] == pytest.approx(jsd) and found[label]["jsd_strict"] == pytest.approx(jsd)
    # the judge step passes records instead of documents: the same numbers
    records = [scoring.sample_record(d, None) for d in docs]
    assert baselines.yardsticks("binary_settings_open", [], records)["always option 1"][
        "majority_agreement"
    ] == pytest.approx(expected)


def test_no_option_answer_leaves_jsd_undefined_and_jsd_strict_at_one():
    [tally] = scoring.tallies(values_of("q|US", "US", (0.6, 0.4), ["withheld"] * 3))
    metrics = tally.metrics()
    assert metrics["jsd"] is None
    assert metrics["jsd_strict"] == pytest.approx(1.0)  # all mass on an outcome the survey gives 0


def test_summary_is_the_mean_over_items_and_per_country_and_skips_failed_judgements():
    values = (
        values_of("a|US", "US", (0.7, 0.3), ["1", "1", "2", None])  # None: a failed judgement
        + values_of("b|US", "US", (0.2, 0.8), ["1", "unclassifiable"])
        + values_of("c|Japan", "Japan", (0.9, 0.1), ["1"])
    )
    summary = scoring.summarise(values)
    jsd_a = jensenshannon([2 / 3, 1 / 3], [0.7, 0.3], base=2)
    jsd_b = jensenshannon([1, 0], [0.2, 0.8], base=2)
    jsd_c = jensenshannon([1, 0], [0.9, 0.1], base=2)
    assert summary["jsd"] == pytest.approx((jsd_a + jsd_b + jsd_c) / 3)
    assert summary["majority_agreement"] == pytest.approx((1 + 0 + 1) / 3)
    assert summary["unclassifiable_rate"] == pytest.approx((0 + 0.5 + 0) / 3)
    assert summary["n_items"] == 3 and summary["n_samples"] == 6
    assert summary["majority_agreement|country=US"] == pytest.approx(0.5)
    assert summary["majority_agreement|country=Japan"] == 1.0
    assert summary["jsd|country=US"] == pytest.approx((jsd_a + jsd_b) / 2)


def test_unknown_label_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown label 'maybe'"):
        scoring.tallies(values_of("a|US", "US", (0.5, 0.5), ["maybe"]))


def test_aggregations_pickle_for_lm_eval_05_bootstrap():
    aggregate = pickle.loads(pickle.dumps(scoring.Aggregate("jsd_strict")))
    values = values_of("a|US", "US", (0.7, 0.3), ["1", "2"])
    assert aggregate(values) == pytest.approx(jensenshannon([0.5, 0.5, 0], [0.7, 0.3, 0], base=2))


# --- documents and prompts --------------------------------------------------------------------


def test_documents_repeat_each_item_n_times_in_a_row():
    docs = [{"question_id": 1, "country": "Japan"}, {"question_id": 2, "country": "China"}]
    expanded = lm_eval_hooks.expand(docs, 3)
    assert [(d["item"], d["sample_index"]) for d in expanded] == [
        ("1|Japan", 0),
        ("1|Japan", 1),
        ("1|Japan", 2),
        ("2|China", 0),
        ("2|China", 1),
        ("2|China", 2),
    ]


@pytest.mark.parametrize("bad", [0, -1, "abc", True, 1001, 2.5, None])
def test_bad_sample_counts_are_rejected(bad):
    with pytest.raises(ValueError, match="n_samples must be a whole number"):
        lm_eval_hooks.sample_count(bad)


def test_open_templates_embed_the_question_show_no_options_and_cycle():
    doc = {"question": "Is it acceptable to eat meat?", "options": OPTIONS, "country": "United States"}
    texts = [prompts.open_doc_to_text(doc | {"sample_index": k}) for k in range(20)]
    assert len(set(texts[:10])) == 10 and texts[10:] == texts[:10]
    for text in texts:
        assert doc["question"] in text and "the United States" in text
        assert "Approve" not in text and "1." not in text and "option" not in text.lower()
    classify = prompts.classify_doc_to_text(doc)
    assert "1. Approve\n2. Disapprove\n3. I would rather not say / it depends" in classify


# --- the open-conversation judge ------------------------------------------------------------


@pytest.mark.parametrize(
    "reply, label", [("1", "1"), (" 2.", "2"), ("0", "unclassifiable"), ("**2**", None), ("12", None), ("Two", None)]
)
def test_stance_replies_are_read_strictly(reply, label):
    assert judge.parse_stance(reply) == label


class ScriptedTransport:
    name = cache_name = "scripted"

    def __init__(self, replies):
        self.replies = list(replies)
        self.prompts = []

    async def complete(self, prompt, *, max_tokens, logprobs=False, json_mode=False):
        self.prompts.append(prompt)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return JudgeReply(text=reply)


def test_judge_item_labels_counts_failures_and_skips_empty_replies():
    from cultureval.judge import JudgeError

    doc = {
        "question_id": 7,
        "question": "Is it acceptable to eat meat?",
        "options": OPTIONS,
        "country": "India",
        "survey_distribution": [0.4, 0.6],
        "sample_index": 3,
    }
    transport = ScriptedTransport(["2", "maybe", JudgeError("down")])
    records = [asyncio.run(judge.judge_item(transport, None, doc, reply))[0] for reply in ["Yes!", "x", "y", "  "]]
    assert [r["label"] for r in records] == ["2", None, None, "unclassifiable"]
    assert len(transport.prompts) == 3  # the empty reply was not sent to the judge
    assert prompts.open_doc_to_text(doc) in transport.prompts[0]
    summary = scoring.OPEN_METRICS.compute(records)
    assert summary["n_judge_failures"] == 2 and summary["judge_parse_rate"] == 0.5
    assert summary["n_empty_responses"] == 1
    assert summary["unclassifiable_rate"] == 0.5 and "withhold_rate" not in summary


def test_only_the_open_setting_is_judged():
    from cultureval.families import judge_of

    assert judge_of("binary_settings_open").prompt_version == judge.PROMPT_VERSION
    assert judge_of("binary_settings_classify") is None and judge_of("binary_settings_reasoning") is None
    assert judge_of("culturebank_tiktok") is not None


# --- end to end on the tiny model -------------------------------------------------------------


def lm_eval_setting(tiny_model, data_dir, tmp_path, task, n=3, tokens=8):
    out = tmp_path / "lm-eval-out"
    run_cli(
        [
            "cultureval",
            "lm-eval",
            "run",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={tiny_model}",
            "--tasks",
            task,
            "--output_path",
            str(out),
            "--log_samples",
            "--batch_size",
            "8",
            "--metadata",
            json.dumps({"n_samples": n}),
            "--gen_kwargs",
            f"max_gen_toks={tokens}",
        ],
        data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    [samples_file] = out.rglob(f"samples_{task}_*.jsonl")
    samples = [json.loads(line) for line in samples_file.read_text().splitlines()]
    return out, json.loads(results_file.read_text()), samples


def _text(sample):
    value = sample["filtered_resps"][0]
    return value[0] if isinstance(value, list) else value  # lm-eval 0.5 nests one more list


def independent_summary(rows):
    """The metrics from (item, country, survey, label) rows, computed here with numpy/scipy."""
    by_item = defaultdict(list)
    meta = {}
    for item, country, survey, label in rows:
        by_item[item].append(label)
        meta[item] = (country, survey)
    jsd, strict, agree, agree_strict, unclassifiable = [], [], [], [], []
    for item, labels in by_item.items():
        counts = Counter(labels)
        survey = np.array(meta[item][1])
        c = np.array([counts["1"], counts["2"]], dtype=float)
        other = len(labels) - c.sum()
        if c.sum():
            jsd.append(jensenshannon(c / c.sum(), survey, base=2))
            if survey[0] != survey[1]:
                agree.append(0.5 if c[0] == c[1] else float(np.argmax(c) == np.argmax(survey)))
        strict.append(jensenshannon(np.append(c, other) / len(labels), np.append(survey, 0.0), base=2))
        if survey[0] != survey[1]:  # strictly: non-answers are a third outcome, a tie shares the credit
            outcomes = np.append(c, other)
            modal = np.flatnonzero(outcomes == outcomes.max())
            agree_strict.append(float(np.argmax(survey) in modal) / len(modal))
        unclassifiable.append((counts["unreadable"] + counts["unclassifiable"]) / len(labels))
    mean = lambda xs: float(np.mean(xs)) if xs else None  # noqa: E731
    return {
        "jsd": mean(jsd),
        "jsd_strict": mean(strict),
        "majority_agreement": mean(agree),
        "majority_agreement_strict": mean(agree_strict),
        "unclassifiable_rate": mean(unclassifiable),
        "readable_rate": float(np.mean([label not in ("unreadable", "unclassifiable") for _, _, _, label in rows])),
        "n_items": len(by_item),
    }


def assert_close(entry, expected, suffix=",none"):
    for name, value in expected.items():
        got = entry[f"{name}{suffix}"]
        if value is None:
            assert got is None or got != got or got == "N/A", (name, got)
        else:
            assert got == pytest.approx(value), name


@pytest.mark.e2e
def test_classify_in_lm_eval_recomputed_from_the_logged_answers(tiny_model, fixture_data_dir, tmp_path):
    task = "binary_settings_classify"
    _, results, samples = lm_eval_setting(tiny_model, fixture_data_dir, tmp_path, task, n=3)
    # the fixture has 6 two-option (question, country) items for the four countries; 3 samples each
    assert len(samples) == 6 * 3
    assert Counter(s["doc"]["item"] for s in samples) == Counter(
        {item: 3 for item in {s["doc"]["item"] for s in samples}}
    )
    rows = []
    for sample in samples:
        doc = sample["doc"]
        label = read_choice(_text(sample), doc["options"]) or "unreadable"
        rows.append((doc["item"], doc["country"], doc["survey_distribution"], label))
        assert sample["arguments"]["gen_args_0"]["arg_0"].startswith(prompts.classify_doc_to_text(doc))
    assert_close(results["results"][task], independent_summary(rows))
    assert results["configs"][task]["metadata"]["cultureval"]["data_source"]["n_samples"] == 3


@pytest.mark.e2e
def test_open_in_lm_eval_judged_by_a_fake_judge_then_compared(tiny_model, fixture_data_dir, tmp_path):
    task = "binary_settings_open"
    out, _, samples = lm_eval_setting(tiny_model, fixture_data_dir, tmp_path / "open", task, n=4, tokens=12)
    with FakeJudge() as server:
        run_cli(
            ["cultureval", "judge", str(out), "--judge-model", "fake-judge", "--judge-base-url", server.base_url],
            fixture_data_dir,
            tmp_path / "judge",
            env_extra={"CULTUREVAL_JUDGE_API_KEY": "", "OPENAI_API_KEY": ""},
        )
        n_empty = sum(not _text(s).strip() for s in samples)
        assert len(server.requests) == len(samples) - n_empty  # empty replies are not judged
    [judged_path] = out.rglob("results_judged_*.json")
    entry = json.loads(judged_path.read_text())["results"][task]
    # the labels the fake judge gives, recomputed from the replies themselves
    label_of = {"1": "1", "2": "2", "0": "unclassifiable"}
    rows = []
    for sample in samples:
        doc, text = sample["doc"], _text(sample)
        label = label_of[stance_reply(judge.stance_prompt(doc, text))] if text.strip() else "unclassifiable"
        rows.append((doc["item"], doc["country"], doc["survey_distribution"], label))
    assert_close(entry, independent_summary(rows))
    assert entry["judge_parse_rate,none"] == 1.0 and entry["n_empty_responses,none"] == n_empty

    # the cross-setting post-step against a classification run of the same items
    classify_out, _, _ = lm_eval_setting(
        tiny_model, fixture_data_dir, tmp_path / "classify", "binary_settings_classify", n=2
    )
    items_csv = tmp_path / "items.csv"
    result = run_cli(
        ["cultureval", "binary-settings", str(out), str(classify_out), "--json", "--items-csv", str(items_csv)],
        fixture_data_dir,
        tmp_path / "compare",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [comparison] = json.loads(result.stdout)  # one model: one comparison
    assert comparison["model"] == tiny_model.name
    assert comparison["settings"] == ["classification", "open conversation"]
    assert comparison["n_common_items"] == 6
    with open(items_csv, newline="") as handle:
        items = list(csv.DictReader(handle))
    agree = [row["settings_agree"] == "True" for row in items]
    assert comparison["verdict_agreement_rate"] == pytest.approx(sum(agree) / len(agree))
    assert comparison["per_setting"]["open conversation"]["jsd_strict"] == pytest.approx(entry["jsd_strict,none"])
    assert comparison["per_setting"]["open conversation"]["withhold_rate"] is None


@pytest.mark.e2e
def test_inspect_classify_and_open_score_like_lm_eval(tiny_model, fixture_data_dir, tmp_path):
    from inspect_ai.log import list_eval_logs, read_eval_log

    from cultureval.scorers.records import record_of

    log_dir = tmp_path / "inspect-logs"
    run_cli(
        [
            "inspect",
            "eval",
            "cultureval/binary_settings_classify",
            "cultureval/binary_settings_open",
            "--model",
            "hf/tiny",
            "-M",
            f"model_path={tiny_model}",
            "-T",
            "n=2",
            "--max-tokens",
            "8",
            "--model-role",
            f"grader={{model: hf/tiny, model_args: {{model_path: {tiny_model}}}}}",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
        ],
        fixture_data_dir,
        tmp_path,
    )
    logs = {read_eval_log(info).eval.task.split("/")[-1]: read_eval_log(info) for info in list_eval_logs(str(log_dir))}
    classify = logs["binary_settings_classify"]
    assert classify.status == "success" and len(classify.samples) == 12
    rows = []
    for sample in classify.samples:
        doc = sample.metadata["doc"]
        label = read_choice(sample.output.completion, doc["options"]) or "unreadable"
        assert next(iter(sample.scores.values())).answer == label
        assert sample.output.usage is None or sample.output.usage.output_tokens <= 8
        rows.append((doc["item"], doc["country"], doc["survey_distribution"], label))
    metrics = {name: m.value for name, m in classify.results.scores[0].metrics.items()}
    assert_close(metrics, independent_summary(rows), suffix="")
    assert classify.eval.metadata["n_samples"] == 2 and classify.eval.metadata["temperature"] == 1.0

    opened = logs["binary_settings_open"]
    records = [record_of(next(iter(s.scores.values()))) for s in opened.samples]
    metrics = {name: m.value for name, m in opened.results.scores[0].metrics.items()}
    judged = [r for r in records if r["label"] is not None]
    # a random tiny grader rarely answers 0/1/2: its failures are counted, not dropped silently
    assert metrics["n_judge_failures"] == len(records) - len(judged)
    assert opened.eval.metadata["judge_prompt_version"] == judge.PROMPT_VERSION


# --- real tier: SmolLM2 on the shared data ---------------------------------------------------


@pytest.mark.real
def test_smollm2_classify_with_chat_template_recomputed(smollm2, shared_data_dir, tmp_path):
    task = "binary_settings_classify"
    out = tmp_path / "out"
    run_cli(
        [
            "cultureval",
            "lm-eval",
            "run",
            "--model",
            "hf",
            "--model_args",
            f"pretrained={smollm2}",
            "--tasks",
            task,
            "--apply_chat_template",
            "--limit",
            "30",
            "--batch_size",
            "10",
            "--output_path",
            str(out),
            "--log_samples",
        ],
        shared_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    [samples_file] = out.rglob(f"samples_{task}_*.jsonl")
    samples = [json.loads(line) for line in samples_file.read_text().splitlines()]
    assert len(samples) == 30 and len({s["doc"]["item"] for s in samples}) == 3  # three whole items, N = 10
    rows = [
        (
            s["doc"]["item"],
            s["doc"]["country"],
            s["doc"]["survey_distribution"],
            read_choice(_text(s), s["doc"]["options"]) or "unreadable",
        )
        for s in samples
    ]
    # SmolLM2 at temperature 1 gives readable numbers for some samples, and not always the same one
    labels = Counter(row[3] for row in rows)
    assert labels["1"] + labels["2"] + labels["withheld"] > 0, labels
    assert_close(json.loads(results_file.read_text())["results"][task], independent_summary(rows))

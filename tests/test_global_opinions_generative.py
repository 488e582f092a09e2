"""global_opinion_cot and global_opinion_sampled: scoring functions and the Inspect pipeline
with a scripted model provider (offline, deterministic)."""

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from cultureval.metrics.aggregate import count_true, mean_defined
from cultureval.tasks.global_opinions import lm_eval_hooks, prompts, scoring

DOC = {
    "country": "Peru",
    "options": ["Yes", "No", "Don't know"],
    "n_options": 3,
    "survey_distribution": [0.6, 0.3, 0.1],
}


def test_cot_prompt():
    text = prompts.cot_doc_to_text(DOC | {"question": "Is it good?"})
    assert text.startswith(
        "Given the following question and answer options, estimate the distribution of responses you would "
        "expect from people in Peru. Respond with your reasoning in <think></think> tags, then output your "
        "estimated distribution as a list of numbers that sum to one in the format {X, Y, Z, ...}.\n\n"
    )
    assert "Question: Is it good?\nOptions: ['Yes', 'No', \"Don't know\"]\nCountry: Peru\n\n<think>" in text
    assert text.endswith("might influence how people in Peru would answer this question.</think>\n{X, Y, Z, ...}")


def test_cot_scoring_readable_and_unreadable():
    readable = lm_eval_hooks.cot_process_results(DOC, ["<think>hm</think> {0.5, 0.3, 0.2}"])
    expected = jensenshannon([0.5, 0.3, 0.2], DOC["survey_distribution"], base=2)
    assert readable["jsd"] == pytest.approx(expected)
    assert readable["jsd_strict"] == pytest.approx(expected)
    assert (readable["parse_rate"], readable["n_unparsed"]) == (1.0, 0)
    unreadable = lm_eval_hooks.cot_process_results(DOC, ["<think>I am not sure"])
    assert unreadable["jsd"] is None and unreadable["country_sim_std"] is None
    assert (unreadable["parse_rate"], unreadable["jsd_strict"], unreadable["n_unparsed"]) == (0.0, 1.0, 1)
    # aggregations: mean over readable items only; strict counts the unreadable one as 1.0
    assert mean_defined([readable["jsd"], unreadable["jsd"]]) == pytest.approx(expected)
    assert np.mean([readable["jsd_strict"], unreadable["jsd_strict"]]) == pytest.approx((expected + 1) / 2)
    assert math.isnan(mean_defined([None, None]))
    assert count_true([1, 0, 1]) == 2
    assert scoring.country_sim_std_of_parsed([("A", 0.2), None, ("B", 0.6)]) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "text, after_stem, expected",
    [
        ("B", True, "B"),
        ("B)", True, "B"),
        (" C) Don't know", True, "C"),
        ("Yes", True, None),  # a word, not a letter
        ("D", True, None),  # not an option
        ("", True, None),
        ("(B)", False, "B"),
        ("Answer: A", False, "A"),
        ("I think C.", False, "C"),
        ("I'd say maybe", False, None),
    ],
)
def test_answer_letter(text, after_stem, expected):
    assert scoring.answer_letter(text, ["A", "B", "C"], after_stem) == expected


def test_sampled_frequencies_by_hand():
    # 10 samples: A x5, B x3, C x1, one unreadable -> frequencies over the 9 valid answers
    samples = ["A"] * 5 + ["B"] * 3 + ["C", "Hmm"]
    item = scoring.score_sampled(DOC, samples, after_stem=True)
    model = [5 / 9, 3 / 9, 1 / 9]
    assert item["jsd"] == pytest.approx(jensenshannon(model, DOC["survey_distribution"], base=2))
    assert item["parse_rate"] == pytest.approx(0.9)
    assert item["n_unparsed"] == 0
    none = scoring.score_sampled(DOC, ["x", "y"], after_stem=True)
    assert none["jsd"] is None and none["n_unparsed"] == 1 and none["parse_rate"] == 0.0


def test_keep_all_samples_filter():
    assert lm_eval_hooks.keep_all_samples(iter([("a", "b"), ("c",)]), [{}, {}]) == [["a", "b"], ["c"]]


# --- Inspect, in process, with a scripted provider ---------------------------------------------


@pytest.fixture()
def scripted_model():
    from inspect_ai.model import (
        ChatCompletionChoice,
        ChatMessageAssistant,
        ModelAPI,
        ModelOutput,
        ModelUsage,
        get_model,
        modelapi,
    )

    @modelapi(name="cultureval_scripted")
    class Scripted(ModelAPI):
        """Answers the cot prompt with a fixed distribution and option prompts with 'A'."""

        def __init__(self, model_name, base_url=None, api_key=None, config=None, **model_args):
            super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=config)

        async def generate(self, input, tools, tool_choice, config):
            prompt = input[-1].text
            if "estimate the distribution" in prompt:
                n = prompt.split("Options: ")[1].split("\n")[0].count("', ") + 1
                values = ", ".join([f"{1 / n:.6f}"] * n)
                text = "<think>scripted</think>\n{" + values + "}" if "Brazil" in prompt else "no idea"
            else:
                text = "A"
            return ModelOutput(
                model=self.model_name,
                choices=[ChatCompletionChoice(message=ChatMessageAssistant(content=text), stop_reason="stop")],
                usage=ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2),
            )

    return get_model("cultureval_scripted/test")


def test_inspect_cot_scores_parsed_and_counts_unparsed(use_fixture_data, scripted_model, tmp_path):
    from inspect_ai import eval as inspect_eval

    from cultureval._registry import global_opinion_cot

    [log] = inspect_eval(global_opinion_cot(), model=scripted_model, log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    metrics = {name: m.value for name, m in log.results.scores[0].metrics.items()}
    docs = [s.metadata["doc"] for s in log.samples]
    brazil = [d for d in docs if d["country"] == "Brazil"]
    # the scripted model writes a uniform list for Brazil and nothing readable elsewhere
    expected = [jensenshannon([1] * d["n_options"], d["survey_distribution"], base=2) for d in brazil]
    assert metrics["jsd"] == pytest.approx(np.mean(expected))
    assert metrics["n_unparsed"] == len(docs) - len(brazil)
    assert metrics["parse_rate"] == pytest.approx(len(brazil) / len(docs))
    assert metrics["jsd_strict"] == pytest.approx((sum(expected) + len(docs) - len(brazil)) / len(docs))


def test_inspect_sampled_frequencies(use_fixture_data, scripted_model, tmp_path, monkeypatch):
    from inspect_ai import eval as inspect_eval

    from cultureval import inspect_tasks
    from cultureval._registry import global_opinion_sampled

    # the scripted provider stands in for one that continues the answer stem (vllm, sglang);
    # cultureval refuses the chat rendering on any other provider
    monkeypatch.setattr(inspect_tasks, "PREFILL_PROVIDERS", (*inspect_tasks.PREFILL_PROVIDERS, "cultureval_scripted"))

    [log] = inspect_eval(
        global_opinion_sampled(rendering="chat", n=4), model=scripted_model, log_dir=str(tmp_path), display="none"
    )
    assert log.status == "success"
    metrics = {name: m.value for name, m in log.results.scores[0].metrics.items()}
    # always "A": the model's distribution is (1, 0, ...) for every item
    expected = [
        jensenshannon(
            [1] + [0] * (s.metadata["doc"]["n_options"] - 1), s.metadata["doc"]["survey_distribution"], base=2
        )
        for s in log.samples
    ]
    assert metrics["jsd"] == pytest.approx(np.mean(expected))
    assert metrics["parse_rate"] == 1.0
    assert all(len(s.metadata["sampled_answers"]) == 4 for s in log.samples)


# --- the GlobalOpinionBench poster's number: jsd_padded ----------------------------------------


def _study_jsd(text, survey):
    """The study's notebook, written out: the first {...} list, the shorter side zero-padded,
    scipy's base-2 JS distance; unreadable answers are NaN (skipped by the mean)."""
    try:
        p = [float(x.strip()) for x in text.split("}")[0].split("{")[-1].split(",")]
    except ValueError:
        return math.nan
    p, q = np.array(p, dtype=float), np.array(survey, dtype=float)
    n = max(len(p), len(q))
    p, q = np.pad(p, (0, n - len(p))), np.pad(q, (0, n - len(q)))
    return jensenshannon(p / p.sum(), q / q.sum(), base=2)


@pytest.mark.parametrize(
    "text",
    [
        "<think>reasoning</think> {0.2, 0.5, 0.3}",  # as many values as options
        "Distribution: {0.6, 0.4}",  # short: zero-padded, mapped onto the first options
        "{0.1, 0.2, 0.3, 0.4}",  # long: the survey is zero-padded
        "first {0.5, 0.5} then {0.2, 0.2, 0.6}",  # the study reads the first closed list
        "{1e-1, 9E-1}",
    ],
)
def test_jsd_padded_is_the_studys_computation(text):
    survey = [0.25, 0.25, 0.5]
    assert scoring.jsd_padded(text, survey) == pytest.approx(_study_jsd(text, survey), abs=1e-12)


@pytest.mark.parametrize("text", ["{30%, 70%}", "no list at all", "{}", "{0, 0, 0}", "{-0.2, 1.2}", "{nan, 1}", ""])
def test_jsd_padded_leaves_unreadable_answers_out(text):
    assert scoring.jsd_padded(text, [0.5, 0.5]) is None


def test_jsd_padded_on_long_and_degenerate_text():
    survey = [0.5, 0.5]
    assert scoring.jsd_padded(" " * 1_000_000 + "{0.5, 0.5}", survey) == pytest.approx(0.0)
    assert scoring.jsd_padded("{" * 200_000, survey) is None
    assert scoring.jsd_padded("{" + "0.1, " * 100_000 + "0.1}", survey) == pytest.approx(
        _study_jsd("{" + "0.1, " * 100_000 + "0.1}", survey)
    )
    assert scoring.jsd_padded("{\t0.5,\n0.5\u00a0}", survey) == pytest.approx(0.0)  # float() strips these


def test_cot_records_carry_jsd_padded_beside_jsd():
    doc = {
        "options": ["Agree", "Disagree", "DK/Refused"],
        "survey_distribution": [0.6, 0.3, 0.1],
        "n_options": 3,
        "country": "Brazil",
        "survey_country": "Brazil",
    }
    # two values for three options: cultureval's parser maps them (only a trailing DK is omitted)
    record = scoring.score_cot_text(doc, "{0.7, 0.3}")
    assert record["jsd"] == pytest.approx(jensenshannon([0.7, 0.3, 0], [0.6, 0.3, 0.1], base=2))
    assert record["jsd_padded"] == pytest.approx(record["jsd"])
    # a percentage list: cultureval reads it, the study's parser does not
    record = scoring.score_cot_text(doc, "{70%, 20%, 10%}")
    assert record["jsd"] is not None and record["jsd_padded"] is None
    metrics = scoring.GENERATIVE_METRICS.compute(
        [scoring.score_cot_text(doc, t) for t in ("{0.7, 0.3}", "{70%, 20%, 10%}", "{0.1, 0.1, 0.8}")],
        lm_eval_only=True,
    )
    expected = np.mean([_study_jsd(t, doc["survey_distribution"]) for t in ("{0.7, 0.3}", "{0.1, 0.1, 0.8}")])
    assert metrics["jsd_padded"] == pytest.approx(expected)

"""GlobalOpinionQA's other conditions: default prompting (tasks/default_prompting), steering and the
verbalised mode (tasks/global_opinions: steering.py, verbalized.py) —
documents, prompts, the strict JSON reader and the metrics against independent computations."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from cultureval.tasks.default_prompting import prompts as default_prompts
from cultureval.tasks.default_prompting import scoring as default_scoring
from cultureval.tasks.global_opinions import steering, verbalized
from cultureval.tasks.global_opinions.verbalized import read_json_distribution

OPTIONS = ["Agree", "Disagree", "DK/Refused"]


def doc(question_id, country, survey, question="Q?", options=("Yes", "No")):
    return {
        "question_id": question_id,
        "question": question,
        "options": list(options),
        "n_options": len(options),
        "country": country,
        "survey_country": country,
        "survey_distribution": list(survey),
    }


# --- default prompting ----------------------------------------------------------------------


def test_default_docs_group_every_country_under_its_question():
    docs = [doc(1, "US", [0.6, 0.4]), doc(2, "US", [0.1, 0.9], "R?"), doc(1, "Japan", [0.2, 0.8])]
    grouped = default_scoring.default_docs(docs)
    assert [d["question_id"] for d in grouped] == [1, 2]
    assert grouped[0]["countries"] == ["US", "Japan"]
    assert grouped[0]["survey_distributions"] == [[0.6, 0.4], [0.2, 0.8]]
    text = default_prompts.default_doc_to_text(grouped[0])
    assert text == "Q?\nHere are the options:\n(A) Yes\n(B) No"
    assert "US" not in text and "Japan" not in text


def test_default_metrics_against_an_independent_computation():
    countries = [f"C{i}" for i in range(6)]
    rng = np.random.default_rng(3)
    docs, values = [], []
    for q in range(8):
        surveys = rng.dirichlet([1, 1, 1], size=len(countries)).tolist()
        grouped = {
            "question_id": q,
            "countries": countries if q < 7 else countries[:2],
            "survey_distributions": surveys if q < 7 else surveys[:2],
        }
        model = rng.dirichlet([1, 1, 1]).tolist() if q != 3 else None  # question 3 unreadable
        docs.append((grouped, model))
        values.append([model is not None, default_scoring.default_record(grouped, model)["pairs"]])
    summary = default_scoring.summarise_default(values)
    per_country = {}
    strict = []
    for grouped, model in docs:
        for country, survey in zip(grouped["countries"], grouped["survey_distributions"]):
            if model is None:
                strict.append(1.0)
                continue
            distance = jensenshannon(model, survey, base=2)
            strict.append(distance)
            per_country.setdefault(country, []).append(1 - distance)
    readable_jsd = [1 - sim for sims in per_country.values() for sim in sims]
    assert summary["jsd"] == pytest.approx(np.mean(readable_jsd))
    assert summary["jsd_strict"] == pytest.approx(np.mean(strict))
    # the headline: a similarity over all (question, country) pairs, an unreadable answer 0
    assert summary["culture_sim_strict"] == pytest.approx(np.mean([1 - d for d in strict]))
    assert summary["culture_sim"] == pytest.approx(np.mean([s for sims in per_country.values() for s in sims]))
    assert default_scoring.METRICS.headline == default_scoring.METRICS.leaderboard_metric == "culture_sim_strict"
    assert default_scoring.METRICS.describe("culture_sim_strict").higher_is_better is True
    assert summary["parse_rate"] == pytest.approx(7 / 8)
    means = {c: np.mean(v) for c, v in per_country.items()}
    ranked = {c: m for c, m in means.items() if len(per_country[c]) >= default_scoring.MIN_QUESTIONS}
    assert set(ranked) == set(countries)  # C2..C5 have 6 readable questions, C0 and C1 have 7
    assert summary["country_sim_gap"] == pytest.approx(max(ranked.values()) - min(ranked.values()))
    assert summary["culture_sim|country=C0"] == pytest.approx(means["C0"])
    assert pickle.loads(pickle.dumps(default_scoring.DefaultAggregate("jsd")))(values) == pytest.approx(summary["jsd"])


def test_a_uniformly_bad_default_answer_is_even_but_does_not_lead():
    """The gap rewards uniform badness; the headline does not (the issue's case: uniform 0.368
    beat SmolLM2's 0.383 on the gap)."""
    surveys = {"A": [0.9, 0.1], "B": [0.1, 0.9]}

    def values_for(answer):
        return [
            [True, [[c, jensenshannon(answer, q, base=2)] for c, q in surveys.items()]]
        ] * default_scoring.MIN_QUESTIONS

    close = default_scoring.summarise_default(values_for([0.85, 0.15]))
    far = default_scoring.summarise_default(values_for([0.5, 0.5]))
    # by hand: the uniform answer is equally far from both (gap 0), the other close to A
    assert far["country_sim_gap"] < close["country_sim_gap"]
    assert close["culture_sim_strict"] > far["culture_sim_strict"]
    expected = 1 - np.mean([jensenshannon([0.85, 0.15], q, base=2) for q in surveys.values()])
    assert close["culture_sim_strict"] == pytest.approx(expected)


def test_countries_with_few_questions_are_not_ranked():
    values = [[True, [["US", 0.1], ["Tiny", 0.9]]]] * (default_scoring.MIN_QUESTIONS - 1) + [[True, [["US", 0.1]]]]
    summary = default_scoring.summarise_default(values)
    assert summary["n_countries_ranked"] == 1 and summary["country_sim_gap"] == 0.0
    assert summary["culture_sim|country=Tiny"] == pytest.approx(0.1)  # still reported, just not ranked


# --- steering ---------------------------------------------------------------------------------


def test_fewshot_never_shows_an_item_its_own_answer_and_is_reproducible():
    pool = [doc(q, c, [0.5, 0.5], f"Question {q}?") for q in range(12) for c in ("US", "Japan")]
    items = [d for d in pool if d["question_id"] in (0, 5) and d["country"] == "Japan"]
    steered = steering.fewshot_docs(items, pool, k=4)
    again = steering.fewshot_docs(items, pool, k=4)
    assert [s["shot_question_ids"] for s in steered] == [s["shot_question_ids"] for s in again]
    for item in steered:
        assert item["n_shots"] == 4 and item["question_id"] not in item["shot_question_ids"]
        assert item["question"] not in item["steering"]
        assert "people in Japan" in item["steering"] and "US" not in item["steering"]
        text = steering.fewshot_doc_to_text(item)
        assert text.startswith(item["steering"]) and text.endswith("(B) No")
    # fewer other questions than k: all of them
    [few] = steering.fewshot_docs(items[:1], [d for d in pool if d["question_id"] < 3], k=10)
    assert few["n_shots"] == 2


def test_persona_prompt_names_the_country_once_in_the_first_person():
    [item] = steering.persona_docs([doc(1, "Nigeria", [0.5, 0.5], "Is it good?")])
    text = steering.persona_doc_to_text(item)
    assert text.startswith("I was born in Nigeria") and text.count("Nigeria") == 1
    assert "How would I answer the following question:\nIs it good?" in text


# --- the verbalised mode --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"Agree": 0.5, "Disagree": 0.4, "DK/Refused": 0.1}', [0.5, 0.4, 0.1]),
        ('```json\n{"agree": 0.2, "disagree": 0.8, "dk/refused": 0}\n```', [0.2, 0.8, 0.0]),
        ('{"Disagree": 0.3, "DK/Refused": 0.1, "Agree": 0.6}', [0.6, 0.3, 0.1]),  # any key order
        (
            '{"Agree": 0.5, "Disagree": 0.5, "DK/Refused": 0.005}',
            [0.5 / 1.005, 0.5 / 1.005, 0.005 / 1.005],
        ),
        ('{"Agree": 50, "Disagree": 40, "DK/Refused": 10}', None),  # percentages
        ('{"Agree": 0.5, "Disagree": 0.5}', None),  # an option missing
        ('{"Agree": 0.5, "Disagree": 0.4, "DK/Refused": 0.1, "Other": 0}', None),  # an extra key
        ('{"Agree": 0.5, "Disagree": 0.3, "DK/Refused": 0.1}', None),  # sums to 0.9
        ('{"Agree": -0.1, "Disagree": 1.0, "DK/Refused": 0.1}', None),
        ('{"Agree": "0.5", "Disagree": 0.4, "DK/Refused": 0.1}', None),
        ('{"Agree": true, "Disagree": 0, "DK/Refused": 0}', None),
        ('{"Agree": NaN, "Disagree": 0.4, "DK/Refused": 0.1}', None),
        ('Sure! {"Agree": 0.5, "Disagree": 0.4, "DK/Refused": 0.1}', None),  # prose around it
        ("[0.5, 0.4, 0.1]", None),
        ("", None),
    ],
)
def test_verbalised_answers_are_read_strictly(text, expected):
    assert read_json_distribution(text, OPTIONS) == (expected if expected is None else pytest.approx(expected))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_the_json_reader_never_raises(text):
    assert read_json_distribution(text, OPTIONS) is None or len(read_json_distribution(text, OPTIONS)) == 3


@pytest.mark.parametrize(
    "text",
    ["{" * 200_000, " " * 1_000_000, '{"Agree": ' + "9" * 50_000 + "}", "[" * 50_000 + "]" * 50_000],
)
def test_degenerate_long_answers_are_unreadable(text):
    assert read_json_distribution(text, OPTIONS) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=3, max_size=3).filter(lambda v: sum(v) > 0))
def test_a_well_formed_answer_round_trips(shares):
    total = sum(shares)
    shares = [s / total for s in shares]
    text = json.dumps(dict(zip(OPTIONS, shares)))
    assert read_json_distribution(text, OPTIONS) == pytest.approx(shares)
    assert verbalized.verbalized_doc_to_text(doc(1, "Brazil", [1, 0, 0], "Q?", OPTIONS)).count('"DK/Refused"') == 1


def test_default_docs_keep_one_national_sample_per_country():
    docs = [
        doc(1, "China", [0.9, 0.1]) | {"country_sample": "Non-national sample"},
        doc(1, "China", [0.6, 0.4]) | {"country_sample": "Current national sample"},
        doc(1, "India", [0.5, 0.5]) | {"country_sample": "Current national sample"},
        doc(1, "India", [0.3, 0.7]) | {"country_sample": ""},
    ]
    [grouped] = default_scoring.default_docs(docs)
    assert sorted(zip(grouped["countries"], map(tuple, grouped["survey_distributions"]))) == [
        ("China", (0.6, 0.4)),
        ("India", (0.3, 0.7)),
    ]


# --- end to end on the tiny model -------------------------------------------------------------


def _softmax(loglikelihoods):
    values = np.exp(np.asarray(loglikelihoods) - max(loglikelihoods))
    return values / values.sum()


def _lm_eval(tiny_model, data_dir, tmp_path, task, extra=()):
    from conftest import run_cli

    out = tmp_path / "out"
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
            *extra,
        ],
        data_dir,
        tmp_path,
    )
    [results] = out.rglob("results_*.json")
    [samples] = out.rglob(f"samples_{task}_*.jsonl")
    return out, json.loads(results.read_text()), [json.loads(line) for line in samples.read_text().splitlines()]


@pytest.mark.e2e
def test_default_prompting_in_lm_eval_and_inspect_recomputed(tiny_model, fixture_data_dir, tmp_path):
    from conftest import run_cli
    from inspect_ai.log import list_eval_logs, read_eval_log

    task = "global_opinion_default"
    _, results, samples = _lm_eval(tiny_model, fixture_data_dir, tmp_path / "lm", task)
    pairs, per_country = [], {}
    for sample in samples:
        doc = sample["doc"]
        model = _softmax([float(r[0][0]) for r in sample["resps"]])
        assert "from" not in sample["arguments"]["gen_args_0"]["arg_0"].split("Here are the options")[0]
        for country, survey in zip(doc["countries"], doc["survey_distributions"]):
            distance = jensenshannon(model, survey, base=2)
            pairs.append(distance)
            per_country.setdefault(country, []).append(1 - distance)
    entry = results["results"][task]
    assert entry["jsd,none"] == pytest.approx(np.mean(pairs))
    assert entry["culture_sim_strict,none"] == pytest.approx(1 - np.mean(pairs))  # every answer readable
    ranked = [np.mean(v) for v in per_country.values() if len(v) >= default_scoring.MIN_QUESTIONS]
    gap = entry["country_sim_gap,none"]
    if ranked:
        assert gap == pytest.approx(max(ranked) - min(ranked))
    else:  # the fixture's countries have fewer questions than a ranking needs: undefined, not 0
        assert gap is None or np.isnan(gap)
    assert entry["n_questions,none"] == len(samples) == 5  # the fixture's five questions

    log_dir = tmp_path / "inspect-logs"
    run_cli(
        [
            "inspect",
            "eval",
            f"cultureval/{task}",
            "--model",
            "hf/tiny",
            "-M",
            f"model_path={tiny_model}",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
        ],
        fixture_data_dir,
        tmp_path,
    )
    [info] = list_eval_logs(str(log_dir))
    log = read_eval_log(info)
    metrics = {name: m.value for name, m in log.results.scores[0].metrics.items()}
    distances, sims = [], {}
    for sample in log.samples:
        doc = sample.metadata["doc"]
        model = next(iter(sample.scores.values())).metadata["model_distribution"]
        for country, survey in zip(doc["countries"], doc["survey_distributions"]):
            distances.append(jensenshannon(model, survey, base=2))
            sims.setdefault(country, []).append(1 - distances[-1])
    assert metrics["jsd"] == pytest.approx(np.mean(distances))
    assert metrics["culture_sim|country=United States"] == pytest.approx(np.mean(sims["United States"]))


@pytest.mark.e2e
def test_steering_prompts_and_the_report_gain_recomputed(tiny_model, fixture_data_dir, tmp_path):
    from conftest import run_cli

    plain_out, _, plain_samples = _lm_eval(tiny_model, fixture_data_dir, tmp_path / "plain", "global_opinion_jsd")
    shot_out, steered, shot_samples = _lm_eval(
        tiny_model,
        fixture_data_dir,
        tmp_path / "fewshot",
        "global_opinion_steer_fewshot",
        extra=("--metadata", json.dumps({"items": "all", "k": 2})),
    )
    for sample in shot_samples:
        doc, prompt = sample["doc"], sample["arguments"]["gen_args_0"]["arg_0"]
        assert doc["question_id"] not in doc["shot_question_ids"] and doc["n_shots"] <= 2
        assert prompt.count(doc["question"]) == 1  # its own question once: never shown as a shot
        model = _softmax([float(r[0][0]) for r in sample["resps"]])
        assert sample["tv"] == pytest.approx(0.5 * np.abs(model - np.array(doc["survey_distribution"])).sum())
    expected_jsd = np.mean(
        [
            jensenshannon(_softmax([float(r[0][0]) for r in s["resps"]]), s["doc"]["survey_distribution"], base=2)
            for s in shot_samples
        ]
    )
    assert steered["results"]["global_opinion_steer_fewshot"]["jsd,none"] == pytest.approx(expected_jsd)
    # its own shots (k), not lm-eval's num_fewshot, and recorded as the run's shots
    block = steered["configs"]["global_opinion_steer_fewshot"]["metadata"]["cultureval"]
    assert block["shots"] == 2 and steered["n-shot"]["global_opinion_steer_fewshot"] == 0

    report = tmp_path / "report"
    run_cli(["cultureval", "report", str(plain_out), str(shot_out), "-o", str(report)], fixture_data_dir, tmp_path)
    text = (report / "report.md").read_text()
    assert "few-shot steering (`global_opinion_steer_fewshot` − `global_opinion_jsd`)" in text
    sim = {}
    for run, samples in (("plain", plain_samples), ("steered", shot_samples)):
        for s in samples:
            key = (s["doc"]["question_id"], s["doc"]["survey_country"])
            sim[(run, key)] = 1 - s["jsd"]
    keys = [key for run, key in sim if run == "steered" and ("plain", key) in sim]
    overall = np.mean([sim[("steered", k)] - sim[("plain", k)] for k in keys])
    assert f"| all | {overall:+.3f} | {len(keys)} |" in text


@pytest.mark.e2e
def test_verbalised_mode_inspect_scripted_and_lm_eval_unreadable(use_fixture_data, tiny_model, tmp_path):
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from cultureval.tasks.global_opinions.inspect_tasks import global_opinion_verbalized

    reply = '```json\n{"Yes": 0.7, "No": 0.3}\n```'
    outputs = [ModelOutput.from_content("mockllm/model", reply) for _ in range(40)]
    for output in outputs:
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    [log] = inspect_eval(
        global_opinion_verbalized(),
        model=get_model("mockllm/model", custom_outputs=outputs),
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    metrics = {name: m.value for name, m in log.results.scores[0].metrics.items()}
    readable = [s for s in log.samples if s.metadata["doc"]["options"] == ["Yes", "No"]]
    assert readable and len(readable) < len(log.samples)  # only the Yes/No items can read this reply
    assert metrics["parse_rate"] == pytest.approx(len(readable) / len(log.samples))
    expected = [jensenshannon([0.7, 0.3], s.metadata["doc"]["survey_distribution"], base=2) for s in readable]
    assert metrics["jsd"] == pytest.approx(np.mean(expected))
    strict = (sum(expected) + (len(log.samples) - len(readable))) / len(log.samples)
    assert metrics["jsd_strict"] == pytest.approx(strict)
    assert metrics["top1_agreement"] == pytest.approx(
        np.mean([float(np.argmax(s.metadata["doc"]["survey_distribution"]) == 0) for s in readable])
    )

    _, results, samples = _lm_eval(
        tiny_model,
        use_fixture_data,
        tmp_path / "lm",
        "global_opinion_verbalized",
        extra=("--gen_kwargs", "max_gen_toks=8"),
    )
    unreadable = sum(
        read_json_distribution(
            s["filtered_resps"][0] if isinstance(s["filtered_resps"][0], str) else s["filtered_resps"][0][0],
            s["doc"]["options"],
        )
        is None
        for s in samples
    )
    assert results["results"]["global_opinion_verbalized"]["n_unparsed,none"] == unreadable


def test_default_prompting_dot_plot_has_n_and_intervals_and_skips_thin_countries(tmp_path):
    """Issue 31 point 7: the dot plot ranked 59 countries from 10 questions with no n or
    intervals. Per country from the logged questions: mean culture_sim and its standard error
    (by hand: Japan's distances 0.1, 0.3, 0.2, 0.4, 0.0 give sims 0.9 0.7 0.8 0.6 1.0, mean 0.8,
    s.e. sqrt(0.025 / 5)); a country with fewer than 5 questions is not placed."""
    import json

    from cultureval.report_tools import Figures
    from cultureval.runs import Run
    from cultureval.tasks.default_prompting.report import _dot_plot, country_spread

    jsds = [0.1, 0.3, 0.2, 0.4, 0.0]
    items = [{"value": [True, [["Japan", d], ["Chile", 0.5]] if i < 2 else [["Japan", d]]]} for i, d in enumerate(jsds)]
    items.append({"value": [False, [["Japan", None]]]})  # an unreadable answer: not a question's value
    run = Run(model="m", harness="lm-eval", task="global_opinion_default", metrics={})
    run.__dict__["_scanned"] = (items, None)
    spread = country_spread(run)
    mean, se, n = spread["Japan"]
    assert (mean, n) == (pytest.approx(0.8), 5) and se == pytest.approx((0.025 / 5) ** 0.5)
    assert spread["Chile"] == (pytest.approx(0.5), pytest.approx(0.0), 2)
    run.metrics = {"culture_sim|country=Japan": 0.8, "culture_sim|country=Chile": 0.5}
    figures = Figures(tmp_path)
    name = _dot_plot("dots", "dots", {"m": run}, figures)
    (tmp_path / "figures.json").write_text(json.dumps(figures.manifest))
    [entry] = [e for e in figures.manifest if e["file"] == name]
    assert "s.e." in entry["xlabel"] and "≥ 5 questions" in entry["ylabel"]


def test_default_prompting_table_names_no_best_or_worst_country_of_too_few_questions(tmp_path):
    """The report's table named a best and a worst country while its "countries ranked" said 0
    (each country had fewer than 5 questions). Only a country with ≥ 5 questions is named: here
    Japan (5 questions, mean 0.8) is best and worst; Chile (2 questions, 0.5) is never named.
    Without samples, a run that ranked no country names none."""
    from cultureval.report_tools import Figures
    from cultureval.runs import Run
    from cultureval.tasks.default_prompting.report import default_section

    jsds = [0.1, 0.3, 0.2, 0.4, 0.0]
    items = [{"value": [True, [["Japan", d], ["Chile", 0.5]] if i < 2 else [["Japan", d]]]} for i, d in enumerate(jsds)]
    run = Run(model="m", harness="lm-eval", task="global_opinion_default", metrics={})
    run.__dict__["_scanned"] = (items, None)
    run.metrics = {"culture_sim|country=Japan": 0.8, "culture_sim|country=Chile": 0.5, "n_countries_ranked": 1}

    def row(section_lines: list[str]) -> list[str]:
        [line] = [line for line in section_lines if line.startswith("| m |")]
        return [cell.strip() for cell in line.strip("|").split("|")]

    cells = row(default_section({"global_opinion_default": [run]}, Figures(tmp_path)))
    assert cells[4] == cells[5] == "Japan 0.800" and "Chile" not in " ".join(cells)

    thin = Run(model="m", harness="lm-eval", task="global_opinion_default", metrics={})
    thin.__dict__["_scanned"] = (items[:2], None)  # two questions: no country has five
    thin.metrics = {"culture_sim|country=Japan": 0.8, "culture_sim|country=Chile": 0.5, "n_countries_ranked": 0}
    cells = row(default_section({"global_opinion_default": [thin]}, Figures(tmp_path)))
    assert cells[4] == cells[5] == "n/a" and cells[7] == "0"
    unlogged = Run(model="m", harness="lm-eval", task="global_opinion_default", metrics=dict(thin.metrics))
    unlogged.__dict__["_scanned"] = ([], None)
    cells = row(default_section({"global_opinion_default": [unlogged]}, Figures(tmp_path)))
    assert cells[4] == cells[5] == "n/a"

"""The lm-eval compatibility shim (:mod:`cultureval.lm_eval_compat`) on whichever lm-eval is
installed: CI runs this file, and the end-to-end tier, on lm-eval 0.4.13 and on the 0.5
pre-release (``.ci/run``)."""

from __future__ import annotations

import pytest
from lm_eval.api.task import ConfigurableTask

from cultureval.lm_eval_compat import output_type_base, resolve_field

LM_EVAL_05 = bool(getattr(ConfigurableTask, "_registry", None))


class _Old:
    def resolve_field(self, doc, field):
        return ("0.4", doc[field])


class _New:
    def _resolve_field(self, doc, field):
        return ("0.5", doc[field])


def test_resolve_field_uses_the_method_each_version_has():
    assert resolve_field(_Old(), {"d": "x"}, "d") == ("0.4", "x")
    assert resolve_field(_New(), {"d": "x"}, "d") == ("0.5", "x")
    with pytest.raises(RuntimeError, match=r"supports lm-eval 0\.4\.13 to 0\.5"):
        resolve_field(object(), {}, "d")


def test_resolve_field_on_the_installed_lm_eval_renders_templates():
    task = ConfigurableTask.__new__(ConfigurableTask)  # the method needs no task state
    assert resolve_field(task, {"country": "Japan"}, "As someone from {{country}}:") == "As someone from Japan:"
    assert resolve_field(task, {"country": "Japan"}, "country") == "Japan"
    assert resolve_field(task, {"country": "Japan"}, None) is None


def test_output_type_base_matches_the_installed_lm_eval():
    if not LM_EVAL_05:
        assert output_type_base("multiple_choice") is None and output_type_base("generate_until") is None
        return
    from lm_eval.api.task import MultipleChoiceTask
    from lm_eval.api.task._generation import GenerateTask

    assert output_type_base("multiple_choice") is MultipleChoiceTask
    assert output_type_base("generate_until") is GenerateTask
    with pytest.raises(ValueError, match="no task class for output_type 'nonsense'"):
        output_type_base("nonsense")


def _load(task_names: list[str]) -> dict:
    from lm_eval.tasks import TaskManager

    from cultureval.paths import tasks_dir

    manager = TaskManager(include_path=str(tasks_dir()))
    if hasattr(manager, "load"):  # 0.5
        return manager.load(task_names)["tasks"]
    from lm_eval.tasks import get_task_dict

    return get_task_dict(task_names, manager)


@pytest.mark.parametrize(
    ("task", "output_type"), [("cali_nli_us", "multiple_choice"), ("global_opinion_cot_binary", "generate_until")]
)
def test_tasks_build_their_plain_requests_on_the_installed_lm_eval(use_fixture_data, task, output_type):
    from cultureval.lm_eval_task import CulturevalTask

    built = _load([task])[task]
    assert isinstance(built, CulturevalTask)
    if LM_EVAL_05:
        assert isinstance(built, output_type_base(output_type))
    built.build_all_requests(limit=2, rank=0, world_size=1)
    contexts = {instance.args[0] for instance in built.instances}
    assert len({instance.doc_id for instance in built.instances}) == 2
    if task == "cali_nli_us":
        # CALI's published prompt, as one paragraph (tasks/cali/README.md)
        assert all(c.startswith("Premise: ") and c.endswith("Your Answer (E/N/C): (") for c in contexts)
        assert all("Let’s think as someone who lives in" in c for c in contexts)
        assert len(built.instances) == 6 and {i.args[1].strip() for i in built.instances} == {"E", "N", "C"}
    elif task == "global_opinion_jsd_binary":
        # Durmus et al.'s Human/Assistant layout, the answer stem opening the Assistant turn
        assert all(
            c.startswith("Human: ")
            and c.endswith("\n\nAssistant: If I had to select one of the options, my answer would be (")
            for c in contexts
        )
    else:
        # no answer stem: the question as the harness concatenates it
        assert contexts == {built.doc_to_text(i.doc) for i in built.instances}
    assert built.config.metadata["cultureval"]["rendering"].startswith("plain")


@pytest.mark.skipif(not LM_EVAL_05, reason="lm-eval 0.4 has no Task.aggregate (it bootstraps only its own metrics)")
def test_bootstrap_of_corpus_metrics_is_capped_on_lm_eval_05(use_fixture_data, monkeypatch):
    from cultureval.lm_eval_task import BOOTSTRAP_CAP, CulturevalTask

    seen = []
    base = output_type_base("multiple_choice")
    monkeypatch.setattr(base, "aggregate", lambda self, bootstrap_iters=100000: seen.append(bootstrap_iters) or ({}, 0))
    built = _load(["cali_nli_us"])["cali_nli_us"]
    assert isinstance(built, CulturevalTask)
    for asked in (100000, 50, 0, None):
        built.aggregate(asked)
    assert seen == [BOOTSTRAP_CAP, 50, 0, None]


def test_counts_have_no_direction_on_the_installed_lm_eval(use_fixture_data):
    """lm-eval 0.5 reads ``higher_is_better: None`` in a metric list as True; the task class
    gives counts no direction on both versions (the results' ``higher_is_better``)."""
    tasks = _load(["cali_nli_us", "global_opinion_cot_binary"])
    assert tasks["cali_nli_us"].higher_is_better()["n_ties"] is None
    assert tasks["cali_nli_us"].higher_is_better()["macro_f1_binary"] is True
    directions = tasks["global_opinion_cot_binary"].higher_is_better()
    assert directions["n_unparsed"] is None and directions["n_truncated"] is None and directions["jsd"] is False


def test_lm_eval_05_output_names_are_read_as_task_names(tmp_path):
    """0.5 names a group's members ``group::task`` in results keys and samples file names."""
    import json

    from cultureval.lm_eval_compat import read_results, samples_path, task_key

    stamp = "2026-01-01T00-00-00.000000"
    results = {
        "results": {"cali_nli::cali_nli_us": {"f1_entail,none": 0.5}, "cali_nli": {"f1_entail,none": 0.5}},
        "configs": {"cali_nli::cali_nli_us": {"task": "cali_nli_us"}},
        "n-samples": {"cali_nli::cali_nli_us": {"original": 2, "effective": 2}},
        "group_subtasks": {"cali_nli": ["cali_nli::cali_nli_us"]},
        "model_name": "m",
    }
    path = tmp_path / f"results_{stamp}.json"
    path.write_text(json.dumps(results))
    (tmp_path / f"samples_cali_nli::cali_nli_us_{stamp}.jsonl").write_text("{}\n")
    (tmp_path / f"samples_judged_cali_nli_in_{stamp}.jsonl").write_text("{}\n")
    read = read_results(path)
    assert set(read["results"]) == {"cali_nli_us", "cali_nli"} and read["model_name"] == "m"
    assert read["group_subtasks"] == {"cali_nli": ["cali_nli_us"]}
    assert read["n-samples"]["cali_nli_us"]["effective"] == 2
    assert samples_path(path, "cali_nli_us").name == f"samples_cali_nli::cali_nli_us_{stamp}.jsonl"
    assert samples_path(path, "cali_nli_in") is None  # a judged file is not lm-eval's samples
    (tmp_path / f"samples_cali_nli_in_{stamp}.jsonl").write_text("{}\n")  # 0.4's name
    assert samples_path(path, "cali_nli_in").name == f"samples_cali_nli_in_{stamp}.jsonl"
    assert task_key("a::b::c") == "c" and task_key("plain") == "plain"


def test_every_aggregation_survives_lm_eval_05s_bootstrap_workers():
    """lm-eval 0.5 bootstraps non-mean aggregations in a multiprocessing pool, which pickles the
    aggregation function: a closure there fails the run (seen on global_opinion_wvs_pearson)."""
    import pickle

    from cultureval.definitions import task_names
    from cultureval.families import table_of

    for task in task_names():
        for item in table_of(task).lm_eval_metric_list():
            function = item["aggregation"]
            if callable(function):
                restored = pickle.loads(pickle.dumps(function))  # our own functions, not data
                assert restored.__name__ == function.__name__, (task, item["metric"])

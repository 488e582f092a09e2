"""The family registry: families are discovered (a throwaway family folder, added to a copy of
the checkout, shows up everywhere a family should), and every family's hooks take the
arguments generic code calls them with."""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import typing
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# repository folders that map into the package (setup.py) and the files the build needs
SOURCES = ("cultureval", "tasks", "metrics", "scorers", "configs", "setup.py", "pyproject.toml", "README.md")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", ".venv")

# ---------------------------------------------------------------------- the throwaway family

NAME = "zz_throwaway"
TASK = "zz_throwaway_pick"
TARGETS = [0, 1, 0]  # the three documents' correct letters (A, B, A)
FAMILY_FILES = {
    "__init__.py": "",
    "family.py": '''
"""A throwaway family: only what tests/test_families.py needs."""

from cultureval.families import Baseline, Command, Family
from cultureval.tasks.zz_throwaway import report, scoring


def always_a(docs, n, seed):
    return [[1.0, 0.0] for _ in docs]


def add_arguments(parser):
    parser.add_argument("word")


def run(options):
    print(f"throwaway says {options.word}")
    return 0


FAMILY = Family(
    name="zz_throwaway",
    title="Throwaway family",
    report_section=report.section,
    baselines=(Baseline("throwaway-a", "all mass on option A", always_a),),
    score_distribution=lambda task, doc, distribution: scoring.score(doc, distribution),
    commands=(Command("throwaway-echo", "print a word", add_arguments, run),),
)
''',
    "scoring.py": """
from cultureval.metric_table import Metric, MetricTable

METRICS = MetricTable(metrics=(Metric("accuracy", True, "the most likely letter is the target"),), headline="accuracy")


def score(doc, distribution):
    return {"accuracy": float(max(range(len(distribution)), key=distribution.__getitem__) == doc["target"])}
""",
    "lm_eval_hooks.py": """
from cultureval.metrics import softmax_logprobs
from cultureval.provenance import docs_to_dataset_dict
from cultureval.tasks.zz_throwaway.scoring import METRICS, score

METRIC_LIST = METRICS.lm_eval_metric_list()
DOCS = [{"question": f"Question {i}?", "target": t} for i, t in enumerate(TARGETS)]


def load_dataset(**_metadata):
    return docs_to_dataset_dict(DOCS, {"dataset": "zz_throwaway", "sha256": "0" * 64})


def doc_to_text(doc):
    return doc["question"] + "\\n(A) yes\\n(B) no"


def doc_to_choice(doc):
    return ["A", "B"]


def doc_to_target(doc):
    return doc["target"]


def process_results(doc, results):
    return METRICS.lm_eval_results(score(doc, softmax_logprobs([ll for ll, _ in results])))
""".replace("TARGETS", repr(TARGETS)),
    "inspect_tasks.py": """
from inspect_ai import Task, task

from cultureval.inspect_tasks import AUTO, option_logprob_task
from cultureval.scorers.distribution import option_distribution
from cultureval.tasks.zz_throwaway.scoring import METRICS, score

__all__ = ["zz_throwaway_pick"]


@task
def zz_throwaway_pick(rendering: str = AUTO) -> Task:
    return option_logprob_task("zz_throwaway_pick", option_distribution(score, METRICS, "zz_scorer"), rendering)
""",
    "report.py": """
def section(by_task, tables, figures):
    lines = ["## Throwaway family", ""]
    for task, runs in sorted(by_task.items()):
        lines += [f"- {task} {run.model}: accuracy {run.metrics.get('accuracy'):.4f}" for run in runs]
    return lines + [""]
""",
    "zz_throwaway_pick.yaml": """
task: zz_throwaway_pick
class: !function cultureval.lm_eval_task.CulturevalTask
custom_dataset: !function cultureval.tasks.zz_throwaway.lm_eval_hooks.load_dataset
test_split: test
output_type: multiple_choice
doc_to_text: !function cultureval.tasks.zz_throwaway.lm_eval_hooks.doc_to_text
doc_to_choice: !function cultureval.tasks.zz_throwaway.lm_eval_hooks.doc_to_choice
doc_to_target: !function cultureval.tasks.zz_throwaway.lm_eval_hooks.doc_to_target
gen_prefix: "Answer: ("
target_delimiter: ""
process_results: !function cultureval.tasks.zz_throwaway.lm_eval_hooks.process_results
metric_list: !function cultureval.tasks.zz_throwaway.lm_eval_hooks.METRIC_LIST
metadata:
  version: 1.0
  plain_layout: human_assistant
""",
}

REGISTRY_CHECK = """
import json, sys
import cultureval
from cultureval.definitions import task_definition
from cultureval.families import family_names, family_of
from inspect_ai._util.registry import registry_info, registry_lookup

task_function = registry_lookup("task", "cultureval/zz_throwaway_pick")  # through the entry point
built = task_function()
print(json.dumps({
    "package": cultureval.__file__,
    "families": list(family_names()),
    "family_of": family_of("zz_throwaway_pick").title,
    "docs": len(task_definition("zz_throwaway_pick").load_dataset()),
    "inspect_name": registry_info(task_function).name,
    "inspect_samples": len(built.dataset),
}))
"""


def _copy_checkout(destination: Path) -> None:
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=IGNORED)
        else:
            shutil.copy2(source, destination / name)


def _add_family(source: Path) -> None:
    folder = source / "tasks" / NAME
    folder.mkdir()
    for name, text in FAMILY_FILES.items():
        (folder / name).write_text(text.lstrip("\n"), encoding="utf-8")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A copy of the checkout with the throwaway family, built into a wheel and installed into
    a folder of its own, put first on PYTHONPATH (ahead of the editable install, whose finder
    comes after the path); nothing is written into the source tree."""
    base = tmp_path_factory.mktemp("throwaway")
    # Inspect names a task after its package only when the package lies under "site-packages"
    source, wheels, site = base / "source", base / "wheels", base / "lib" / "site-packages"
    source.mkdir()
    _copy_checkout(source)
    _add_family(source)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)], check=True)
    [wheel] = wheels.glob("cultureval-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    return {"wheel": wheel, "site": site, "base": base}


def _run(installed: dict, args: list[str], data_dir: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(installed["site"]), CULTUREVAL_DATA_DIR=str(data_dir))
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", INSPECT_LOG_DIR=str(installed["base"] / "logs"))
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=installed["base"], capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_the_throwaway_family_ships_in_the_wheel(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    expected = {f"cultureval/tasks/{NAME}/{name}" for name in FAMILY_FILES}
    assert expected <= names, sorted(expected - names)


def test_the_throwaway_family_is_in_the_family_and_inspect_registries(installed, fixture_data_dir):
    found = json.loads(_run(installed, ["-c", REGISTRY_CHECK], fixture_data_dir).stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(installed["site"])  # the wheel's code, not the checkout's
    assert NAME in found["families"] and found["families"] == sorted(found["families"])
    assert found["family_of"] == "Throwaway family"
    assert found["docs"] == found["inspect_samples"] == len(TARGETS)
    assert found["inspect_name"] == f"cultureval/{TASK}"


def test_the_throwaway_family_is_listed_and_has_its_command(installed, fixture_data_dir):
    listing = _run(installed, ["-m", "cultureval.cli", "tasks", "--no-items"], fixture_data_dir).stdout
    lines = listing.splitlines()
    [at] = [i for i, line in enumerate(lines) if line.startswith(TASK + " ")]
    assert "log-probabilities" in lines[at]
    # the family's heading is the nearest one above its task
    heading = next(line for line in reversed(lines[:at]) if line.startswith("== "))
    assert heading == "== Throwaway family =="
    assert "throwaway-echo" in _run(installed, ["-m", "cultureval.cli", "--help"], fixture_data_dir).stdout
    said = _run(installed, ["-m", "cultureval.cli", "throwaway-echo", "hello"], fixture_data_dir).stdout
    assert said.strip() == "throwaway says hello"


def test_the_throwaway_family_is_in_the_report(installed, fixture_data_dir):
    """Its baseline written as lm-eval output, then the report: the summary ranks it and the
    family's own section shows the accuracy of answering A to every document."""
    results = installed["base"] / "results"
    _run(
        installed,
        ["-m", "cultureval.cli", "baseline", "throwaway-a", "--tasks", TASK, "-o", str(results)],
        fixture_data_dir,
    )
    report = installed["base"] / "report"
    _run(installed, ["-m", "cultureval.cli", "report", str(results), "-o", str(report)], fixture_data_dir)
    text = (report / "report.md").read_text(encoding="utf-8")
    accuracy = sum(target == 0 for target in TARGETS) / len(TARGETS)
    assert f"- {TASK} baseline/throwaway-a: accuracy {accuracy:.4f}" in text
    assert any(line.startswith(f"| {TASK} |") and "accuracy" in line for line in text.splitlines())


def test_nothing_was_written_into_the_source_tree(installed):
    assert not (ROOT / "tasks" / NAME).exists()


# ---------------------------------------------------------------------- the typed hooks


def _arity(alias) -> int:
    return len(typing.get_args(alias)[0])


def test_every_family_hook_takes_the_arguments_generic_code_passes():
    """Each hook of each family binds the arguments its caller passes (report.py calls
    ``report_section(runs_by_task, tables, figures)``; the protocol once declared two)."""
    import argparse

    from cultureval import families as registry

    assert _arity(registry.ReportSection) == 3 and _arity(registry.ReportItem) == 3
    assert _arity(registry.ScoreDistribution) == 3 and _arity(registry.JudgeItem) == 4
    for owner in registry.families():
        checks = []
        if owner.report_section:
            checks.append((owner.report_section, ({}, {}, None)))
        if owner.report_item:
            checks.append((owner.report_item, ("task", {}, {})))
        if owner.score_distribution:
            checks.append((owner.score_distribution, ("task", {}, [1.0])))
        if owner.yardsticks:
            checks += [(owner.yardsticks, ("task", [])), (owner.yardsticks, ("task", [], []))]
        if owner.rescore:
            checks.append((owner.rescore.run, ({}, None)))
        if owner.judge:
            checks.append((owner.judge.judge_item, (None, None, {}, "")))
        checks += [(baseline.predict, ([], 100, 0)) for baseline in owner.baselines]
        for command in owner.commands:
            checks += [(command.add_arguments, (argparse.ArgumentParser(),)), (command.run, (argparse.Namespace(),))]
        for hook, arguments in checks:
            inspect.signature(hook).bind(*arguments)  # TypeError names the hook that does not fit


def test_inspect_metrics_leave_out_undefined_per_group_values():
    """Issue 31 point 8: Inspect's table of a WVS run was about 100 lines of ``nan`` (one per
    country the run never reached). An undefined per-group value is left out; an undefined
    top-level metric stays NaN (it says the run could not define it); defined values pass as
    they are."""
    import math

    from inspect_ai.scorer import SampleScore, Score

    from cultureval.metric_table import Metric, MetricTable
    from cultureval.scorers.records import table_metric

    def summary(records, **options):  # by hand: DK defined, US undefined; the headline undefined
        return {"rho": None, "rho_country_DK": 0.25, "rho_country_US": None, "share|country=US": None}

    table = MetricTable(
        metrics=(
            Metric("rho", True, "a correlation", None, bounds=(-1.0, 1.0)),
            Metric("rho_country_{country}", True, "per country", None, bounds=(-1.0, 1.0)),
        ),
        summary=summary,
        headline="rho",
    )
    compute = table_metric(table, "throwaway_metrics")
    result = compute([SampleScore(score=Score(value={"x": 1.0}), sample_id=1)])
    assert set(result) == {"rho", "rho_country_DK"}
    assert math.isnan(result["rho"]) and result["rho_country_DK"] == 0.25

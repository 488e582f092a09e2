"""Readable results: the table every metric-producing command ends with, early one-line errors,
the rendering warning, ``cultureval tasks``, the help, console-safe metric names and figures of
partial runs."""

from __future__ import annotations

import json
import re
import shlex

import numpy as np
import pytest
from conftest import run_cli
from scipy.spatial.distance import jensenshannon
from test_report import MEAT, POOR, jsd_by_hand

from cultureval.report_tools import Figures, bar_figure


def table_rows(stdout: str, task: str) -> dict[str, list[str]]:
    """The rows of the console table printed under ``<task>: ...``, cut at the header's column
    starts (a cell may be empty)."""
    lines = stdout.splitlines()
    task_line = next(i for i, line in enumerate(lines) if line.startswith(f"{task}: "))
    # the header follows the task's line and, for a rendering, the line saying the other harness's flags
    start = next(i for i in range(task_line + 1, len(lines)) if lines[i].startswith("metric ")) - 1
    header = lines[start + 1]
    names = re.split(r"\s{2,}", header.strip())
    starts = [header.index(name) for name in names]
    rows = {"metric": names}
    for line in lines[start + 3 :]:
        if not line.strip():
            break
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        rows[cells[0]] = cells
    return rows


def cell(rows: dict[str, list[str]], metric: str, column: str) -> str:
    return rows[metric][rows["metric"].index(column)]


def number(text: str) -> float:
    return float(text.split(" ± ")[0])


# ------------------------------------------------------------------ the table after each command


def test_baseline_prints_its_table_with_the_other_yardsticks(fixture_data_dir, tmp_path):
    result = run_cli(
        ["cultureval", "baseline", "uniform", "--tasks", "global_opinion_jsd_binary", "-o", str(tmp_path / "b")],
        fixture_data_dir,
        tmp_path,
    )
    rows = table_rows(result.stdout, "global_opinion_jsd_binary")
    by_hand = [jsd_by_hand([0.5, 0.5], q) for q in [*POOR.values(), *MEAT.values()]]
    assert number(cell(rows, "jsd", "value")) == pytest.approx(np.mean(by_hand), abs=5e-5)
    assert number(cell(rows, "jsd", "uniform")) == pytest.approx(np.mean(by_hand), abs=5e-5)
    # US prior: the US answers for the 3 other countries of the poverty question (see test_report)
    us_prior = np.mean([jsd_by_hand(POOR["United States"], q) for c, q in POOR.items() if c != "United States"])
    assert number(cell(rows, "jsd", "US prior")) == pytest.approx(us_prior, abs=5e-5)
    assert cell(rows, "jsd", "direction") == "↓ lower is better"
    assert cell(rows, "culture_sim", "direction") == "↑ higher is better"
    assert cell(rows, "n (items)", "value") == "6" and cell(rows, "n (items)", "US prior") == "3"
    assert "(results: " in result.stdout


@pytest.mark.e2e
def test_lm_eval_run_ends_with_the_yardstick_table_and_no_plain_rendering_warning(
    tiny_model, fixture_data_dir, tmp_path
):
    # lm-eval warns about any model whose path contains "inst" or "chat" run without a chat
    # template; for log-probability tasks cultureval means the plain rendering and drops it
    instruct = tmp_path / "tiny-instruct"
    instruct.symlink_to(tiny_model, target_is_directory=True)
    out = tmp_path / "out"
    result = run_cli(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={instruct}"]
        + ["--tasks", "global_opinion_jsd", "--limit", "6", "--output_path", str(out), "--log_samples"],
        fixture_data_dir,
        tmp_path,
    )
    [results_file] = out.rglob("results_*.json")
    results = json.loads(results_file.read_text())
    [samples_file] = out.rglob("samples_global_opinion_jsd_*.jsonl")
    docs = [json.loads(line)["doc"] for line in samples_file.read_text().splitlines()]
    rows = table_rows(result.stdout, "global_opinion_jsd")
    assert number(cell(rows, "jsd", "value")) == pytest.approx(
        results["results"]["global_opinion_jsd"]["jsd,none"], abs=5e-5
    )
    uniform = np.mean(
        [jensenshannon(np.full(d["n_options"], 1 / d["n_options"]), d["survey_distribution"], base=2) for d in docs]
    )
    assert number(cell(rows, "jsd", "uniform")) == pytest.approx(uniform, abs=5e-5)
    assert cell(rows, "n (items)", "value") == "6"
    assert "global_opinion_jsd: 6 items (--limit 6), rendering plain" in result.stdout
    assert "appears to be an" not in result.stderr  # lm-eval's warning, silenced here
    assert "without --apply_chat_template" not in result.stderr


@pytest.mark.e2e
def test_yardsticks_without_log_samples_and_a_line_without_output_path(
    tiny_model, fixture_data_dir, tmp_path, monkeypatch
):
    """Issue 31 point 4: no yardsticks without --log_samples, no table without --output_path.
    Without samples the task's documents are read again (their fingerprint checked against the
    run's docs_sha256) and the uniform column equals SciPy's mean JS distance of the uniform
    answer on the first 6 documents; without --output_path one line says what to add."""
    from cultureval.definitions import task_definition

    out = tmp_path / "out"
    args = ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model}"]
    args += ["--tasks", "global_opinion_jsd", "--limit", "6"]
    result = run_cli([*args, "--output_path", str(out)], fixture_data_dir, tmp_path)
    assert not list(out.rglob("samples_*.jsonl"))
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    docs = [dict(row) for row in task_definition("global_opinion_jsd").load_dataset()][:6]
    uniform = np.mean(
        [jensenshannon(np.full(d["n_options"], 1 / d["n_options"]), d["survey_distribution"], base=2) for d in docs]
    )
    rows = table_rows(result.stdout, "global_opinion_jsd")
    assert number(cell(rows, "jsd", "uniform")) == pytest.approx(uniform, abs=5e-5)
    assert "yardsticks on the task's first 6 documents, read again" in result.stdout
    bare = run_cli([*args[:-1], "1"], fixture_data_dir, tmp_path)
    assert "cultureval: no yardstick table: lm-eval saved no results; add --output_path DIR" in bare.stdout


@pytest.mark.e2e
def test_generative_task_without_chat_template_warns_once_and_records_it(tiny_model, fixture_data_dir, tmp_path):
    args = ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model}"]
    args += ["--tasks", "global_opinion_cot_binary", "--limit", "2", "--gen_kwargs", "max_gen_toks=4"]
    plain = run_cli([*args, "--output_path", str(tmp_path / "plain")], fixture_data_dir, tmp_path)
    assert plain.stderr.count("run without --apply_chat_template on a model with a chat template") == 1
    [results_file] = (tmp_path / "plain").rglob("results_*.json")
    block = json.loads(results_file.read_text())["configs"]["global_opinion_cot_binary"]["metadata"]["cultureval"]
    assert len(block["warnings"]) == 1 and "global_opinion_cot_binary" in block["warnings"][0]

    chat = run_cli(
        [*args, "--apply_chat_template", "--output_path", str(tmp_path / "chat")], fixture_data_dir, tmp_path
    )
    assert "without --apply_chat_template" not in chat.stderr
    [results_file] = (tmp_path / "chat").rglob("results_*.json")
    block = json.loads(results_file.read_text())["configs"]["global_opinion_cot_binary"]["metadata"]["cultureval"]
    assert "warnings" not in block and block["rendering"] == "chat"


# ------------------------------------------------------------------ early one-line errors


def _one_line_error(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_misspelt_task_missing_model_and_empty_data_fail_before_any_model_loads(fixture_data_dir, tmp_path):
    base = ["cultureval", "lm-eval", "run", "--model", "hf"]
    line = _one_line_error(
        run_cli(
            [*base, "--model_args", "pretrained=org/model", "--tasks", "global_opinions_jsd"],
            fixture_data_dir,
            tmp_path,
            check=False,
        )
    )
    assert "unknown task 'global_opinions_jsd'; did you mean 'global_opinion_jsd'?" in line

    line = _one_line_error(
        run_cli(
            [*base, "--model_args", f"pretrained={tmp_path / 'no-model'}", "--tasks", "global_opinion_jsd"],
            fixture_data_dir,
            tmp_path,
            check=False,
        )
    )
    assert f"pretrained={tmp_path / 'no-model'}: no such file or folder" in line

    empty = tmp_path / "empty-data"
    empty.mkdir()
    line = _one_line_error(
        run_cli([*base, "--model_args", "pretrained=org/model", "--tasks", "cali_nli_us"], empty, tmp_path, check=False)
    )
    assert line.startswith("cultureval lm-eval: cali_nli_us: ") and "file not found" in line

    # the main job takes the same path
    line = _one_line_error(
        run_cli(["cultureval", "run", "--model-path", str(tmp_path / "none")], fixture_data_dir, tmp_path, check=False)
    )
    assert "no such file or folder" in line


def test_names_of_other_tasks_are_left_to_lm_eval():
    from cultureval.preflight import PreflightError, check_task_names

    check_task_names(["hellaswag", "global_opinion_jsd", "culturebank"])  # lm-eval's, ours, our group
    with pytest.raises(PreflightError, match="did you mean 'wvs_polarity_da'"):
        check_task_names(["wvs_polarity_dk"])


def test_a_renamed_task_or_tag_is_answered_with_its_new_name(fixture_data_dir, tmp_path):
    """The three-setting tasks and tag were renamed in 0.2.0 (their old names were one letter
    from GlobalOpinionQA's own ``global_opinion_cot_binary``): an old name is one line naming
    the new one, before any model loads, and every new name is a task or tag that exists."""
    from cultureval.definitions import RENAMED, task_definition, task_names
    from cultureval.preflight import PreflightError, _tags, check_task_names

    assert RENAMED  # the table the check reads
    for old, (new, version) in RENAMED.items():
        assert old not in task_names() and old not in _tags()
        assert new in task_names() or new in _tags(), new
        with pytest.raises(PreflightError, match=rf"^'{old}' was renamed to '{new}' in cultureval {version}"):
            check_task_names(["global_opinion_jsd", old])
        if new in task_names():
            with pytest.raises(KeyError, match=f"renamed to '{new}'"):
                task_definition(old)
    line = _one_line_error(
        run_cli(
            ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", "pretrained=org/model"]
            + ["--tasks", "global_opinion_binary_cot"],
            fixture_data_dir,
            tmp_path,
            check=False,
        )
    )
    assert line == (
        "cultureval lm-eval: 'global_opinion_binary_cot' was renamed to 'binary_settings_reasoning' in cultureval 0.2.0 "
        "(CHANGELOG.md)"
    )


def test_request_parsing_reads_flags_over_the_config_file(tmp_path):
    from cultureval.preflight import parse_request

    config = tmp_path / "run.yaml"
    config.write_text("tasks: [cali_nli_us]\nmodel_args: {pretrained: ./m}\napply_chat_template: true\n")
    request = parse_request(["--config", str(config), "--tasks", "global_opinion_jsd,cali_nli_in"])
    assert request.tasks == ["global_opinion_jsd", "cali_nli_in"]
    assert request.model_args == {"pretrained": "./m"} and request.apply_chat_template is True
    request = parse_request(["--model_args", "pretrained=/a,peft=/b", "--apply_chat_template", "--tasks=x"])
    assert request.model_args == {"pretrained": "/a", "peft": "/b"} and request.apply_chat_template
    assert request.tasks == ["x"]


# ------------------------------------------------------------------ cultureval tasks, help


def test_tasks_lists_every_task_with_its_kind_and_items(fixture_data_dir, tmp_path):

    from cultureval.definitions import task_definition, task_names
    from cultureval.families import family_of

    result = run_cli(["cultureval", "tasks"], fixture_data_dir, tmp_path)
    lines = result.stdout.splitlines()
    header = lines[0]
    columns = ("task", "kind", "items", "cost per item", "CPU s/item")
    starts = [header.index(c) for c in columns]
    rows, family = {}, None
    for line in lines[2 : lines.index("")]:
        if line.startswith("== "):  # a family's heading, above its tasks
            family = line.strip("= ")
            continue
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        rows[cells[0]] = [cells[0], family, "", *cells[1:]]  # as before: task, family, harnesses, ...
    assert set(rows) == set(task_names())
    assert all(rows[task][1] == family_of(task).title for task in rows)
    # the issue: 256-character lines; now the widest row stays under 180 (no family or harness columns)
    assert max(len(line) for line in lines) < 180
    assert "runs in lm-eval and Inspect" in result.stdout and "`cultureval judge`" in result.stdout
    kinds = {"multiple_choice": "log-probabilities", "generate_until": "generation"}
    judged = ("wvs_polarity", "culturebank", "binary_settings_open")
    for task in task_names():
        definition = task_definition(task)
        # sampling: N repeats of one document, or (the three-setting study) N documents per item
        sampled = int(definition.config.get("repeats") or 1) > 1 or "n_samples" in definition.metadata
        kind = "sampling" if sampled else kinds[definition.config["output_type"]]
        assert rows[task][3].split(" + ")[0] == kind, task
        assert rows[task][3].endswith("+ judge") == task.startswith(judged), task
    # the fixture's binary questions: 4 + 2 (question, country) items (see test_report)
    assert rows["global_opinion_jsd_binary"][4] == str(len(POOR) + len(MEAT))
    assert rows["wvs_polarity_da"][3] == "generation + judge" and "judge call" in rows["wvs_polarity_da"][5]
    assert "10 generations" in rows["global_opinion_sampled"][5]
    assert "per document" in rows["binary_settings_reasoning"][5]
    # one document per sample: the items, times the 10 samples each
    assert rows["binary_settings_classify"][4] == f"{len(POOR) + len(MEAT)} × 10"
    # CPU seconds per item: measured, or a measured sibling of the same family and kind
    from cultureval.task_list import measured_costs

    measured = measured_costs()["measured"]
    assert rows["cali_nli_us"][6] == f"{measured['cali_nli_us']['seconds_per_item']:g}"
    assert rows["cali_nli_in"][6] == f"≈{measured['cali_nli_us']['seconds_per_item']:g} (as cali_nli_us)"
    assert rows["wvs_polarity_pt"][6].endswith("(as wvs_polarity_en)")
    assert all(row[6] != "not measured" for row in rows.values())
    assert any(line.startswith("CPU s/item: SmolLM2-135M-Instruct") for line in lines[-4:])


def test_help_gives_examples_that_parse():
    from cultureval.cli import EXAMPLES, build_parser

    parser = build_parser()
    assert "examples:" in parser.format_help()
    examples = [line.strip() for line in EXAMPLES.splitlines() if line.strip().startswith("cultureval ")]
    assert len(examples) >= 6
    for line in examples:
        command = re.split(r"\s{2,}", line)[0].rstrip("\\").strip()
        argv = shlex.split(command.replace('"$(cultureval configs-dir)', '"/configs'))[1:]
        if argv[0] in ("lm-eval", "inspect"):
            continue  # passed to lm-eval / Inspect (after cultureval's checks)
        parser.parse_args(argv)  # SystemExit on an example that no longer parses


def test_every_baseline_kind_belongs_to_a_family_and_is_explained():
    """The kinds `cultureval baseline` accepts are the families' own, each explained under its
    family's title in `--help` (the lists are derived, so a new family's kinds appear)."""
    from cultureval.cli import baseline_help, build_parser
    from cultureval.families import families

    parser = build_parser()
    [baseline] = [a for a in parser._subparsers._group_actions[0].choices.items() if a[0] == "baseline"]
    choices = set(next(a.choices for a in baseline[1]._actions if a.dest == "kind"))
    offered = {b.kind for owner in families() for b in owner.baselines}
    assert choices == offered and {"uniform", "never-entail"} <= offered
    text = baseline_help()
    for owner in families():
        if not owner.baselines:
            continue
        block = text[text.index(f"  {owner.title}\n") :]
        for b in owner.baselines:
            assert re.search(rf"^    {re.escape(b.kind)}\s+{re.escape(b.about)}$", block, re.M), (owner.name, b.kind)


def test_lm_eval_task_entry_point_names_the_task_folder():
    from importlib.metadata import entry_points

    from cultureval.paths import tasks_dir

    [entry] = [e for e in entry_points(group="lm_eval.tasks") if e.name == "cultureval"]
    module = entry.load()
    assert [str(p) for p in module.__path__] == [str(tasks_dir())]


# ------------------------------------------------------------------ console-safe metric names


def _markup_safe(name: str) -> bool:
    from rich.text import Text

    try:
        return Text.from_markup(name).plain == name
    except Exception:  # rich raises MarkupError on an unbalanced closing tag
        return False


def test_the_check_catches_bracketed_names():
    assert not _markup_safe("entailment_score[topic=Dress Codes]")
    assert not _markup_safe("x[/y]")


def test_every_metric_name_displays_unchanged_in_the_console(fixture_data_dir, monkeypatch):
    """Inspect prints metric names through rich, which reads ``[...]`` as markup."""
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    from cultureval.data_source import DataFileError
    from cultureval.definitions import task_definition, task_names
    from cultureval.families import table_of

    for task in task_names():
        table = table_of(task)
        try:
            docs = list(task_definition(task).load_dataset())
        except DataFileError:  # the fixture has no Dutch or Portuguese WVS prompts
            docs = []
        groups = {key: {str(doc.get(key)) for doc in docs} for key in ("topic", "cultural_group", "country")}
        names = []
        for metric in table.metrics:
            if "{" not in metric.name:
                names.append(metric.name)
                continue
            placeholder = re.search(r"\{(\w*)\}", metric.name).group(1)
            values = groups.get({"group": "cultural_group"}.get(placeholder, placeholder)) or {"X"}
            names += [re.sub(r"\{\w*\}", value, metric.name) for value in values]
        for breakdown in table.breakdowns:
            names += [breakdown.template.format(value) for value in groups.get(breakdown.by) or {"X"}]
        bad = [name for name in names if not _markup_safe(name)]
        assert not bad, (task, bad)


# ------------------------------------------------------------------ figures of partial runs


def test_bar_figure_skips_empty_figures_and_draws_missing_values_as_na(tmp_path):
    figures = Figures(tmp_path)
    assert bar_figure("empty", "t", "x", "y", ["a", "b"], {"m": [None, None]}, figures) is None
    assert bar_figure("none", "t", "x", "y", [], {}, figures) is None
    assert not list(tmp_path.iterdir()) and figures.manifest == []

    import matplotlib.pyplot as plt

    captured = {}
    original = Figures.save

    def keep(self, figure, name):
        captured["texts"] = [t.get_text() for t in figure.axes[0].texts]
        captured["errorbars"] = [c for c in figure.axes[0].containers if type(c).__name__ == "ErrorbarContainer"]
        return original(self, figure, name)

    Figures.save = keep
    try:
        name = bar_figure(
            "partial",
            "t",
            "x",
            "y",
            ["a", "b", "c"],
            {"m": [0.5, None, 0.0]},
            figures,
            errors={"m": [(0.4, 0.6), None, None]},
        )
    finally:
        Figures.save = original
        plt.close("all")
    assert name == "partial.png" and (tmp_path / name).stat().st_size > 0
    assert captured["texts"] == ["n/a"]  # the missing bar, not the bar at 0.0
    assert len(captured["errorbars"]) == 1


def test_report_of_a_partial_limited_run(fixture_data_dir, tmp_path):
    """A judged WVS run without per-country values draws no empty per-country or US-vs-local
    figure; a limited run is said to be one, in the text and the legends."""
    folder = tmp_path / "judged" / "model-a"
    folder.mkdir(parents=True)
    metrics = {"spearman_language": 0.4, "self_consistency": 0.5, "judge_parse_rate": 1.0}
    results = {
        "results": {"wvs_polarity_en": {"alias": "wvs_polarity_en", **{f"{k},none": v for k, v in metrics.items()}}},
        "n-samples": {"wvs_polarity_en": {"original": 300, "effective": 5}},
        "config": {"limit": 5},
        "model_name": "org/model-a",
    }
    (folder / "results_judged_2026-01-01T00-00-00.json").write_text(json.dumps(results))
    report_dir = tmp_path / "report"
    run_cli(["cultureval", "report", str(tmp_path / "judged"), "-o", str(report_dir)], fixture_data_dir, tmp_path)
    text = (report_dir / "report.md").read_text()
    assert "run with --limit" in text and "org/model-a (lm-eval, limit 5) on wvs_polarity_en" in text
    manifest = {entry["file"]: entry for entry in json.loads((report_dir / "figures.json").read_text())}
    for empty in ("wvs_polarity_us_vs_local.png", "wvs_polarity_by_country.png"):
        assert empty not in manifest and not (report_dir / empty).exists()
    assert "(no per-country ρ to plot)" in text
    assert manifest["wvs_polarity_self_consistency.png"]["legend"][0] == "org/model-a (lm-eval, limit 5)"


@pytest.mark.e2e
def test_inspect_max_tokens_on_the_command_line_caps_generation(tiny_model, fixture_data_dir, tmp_path):
    """The task's limit (the YAML's max_gen_toks) is its config, so --max-tokens overrides it:
    the README's advice for capping the cost of generative tasks."""
    from test_e2e_global_opinions import inspect_run

    log = inspect_run(
        tiny_model,
        fixture_data_dir,
        tmp_path,
        task="global_opinion_cot_binary",
        extra=("-M", "do_sample=false", "--max-tokens", "3"),
    )
    assert log.plan.config.max_tokens == 3
    assert all(0 < sample.output.usage.output_tokens <= 3 for sample in log.samples)

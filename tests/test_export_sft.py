"""``cultureval export-sft``: what is kept, excluded and counted; the exported user turn is the
prompt the run rendered (Inspect with Inspect's scripted mock model, lm-eval on the tiny model)."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from test_e2e_global_opinions import lm_eval_run

from cultureval.errors import InputError
from cultureval.tasks.global_opinions import export_sft
from cultureval.tasks.global_opinions.prompts import cot_doc_to_text

DOC = {
    "question_id": 3,
    "question": "Should the government do more to help the poor?",
    "options": ["Yes", "No"],
    "n_options": 2,
    "country": "Japan",
    "survey_distribution": [0.6, 0.4],
}


def answer(doc=DOC, jsd=0.1, text="<think>r</think>{0.6, 0.4}", prompt=None, task="global_opinion_cot"):
    prompt = cot_doc_to_text(doc) if prompt is None else prompt
    return export_sft.Answer(task=task, doc=doc, prompt_logged=prompt, text=text, jsd=jsd, model="m", source="s")


def test_export_keeps_low_distance_answers_and_counts_every_other(use_fixture_data):
    other = DOC | {"country": "China"}
    answers = [
        answer(),  # kept
        answer(jsd=0.15),  # not below the threshold
        answer(jsd=None),  # unreadable
        answer(text="   "),  # empty
        answer(prompt="a different prompt"),  # the run did not render this user turn
        answer(doc=other),  # in the excluded set
        answer(prompt="<|im_start|>user\n" + cot_doc_to_text(DOC) + "<|im_end|>"),  # chat template: kept
    ]
    result = export_sft.export(answers, 0.15, {export_sft.item_key(other)})
    assert dict(result.counts) == {
        "kept": 2,
        "above_threshold": 1,
        "unreadable": 1,
        "empty": 1,
        "prompt_mismatch": 1,
        "excluded": 1,
    }
    row = result.rows[0]
    assert row["messages"] == [
        {"role": "user", "content": cot_doc_to_text(DOC)},
        {"role": "assistant", "content": "<think>r</think>{0.6, 0.4}"},
    ]
    assert row["metadata"] | {"source": None} == {
        "question_id": 3,
        "question": DOC["question"],
        "country": "Japan",
        "jsd": 0.1,
        "model": "m",
        "task": "global_opinion_cot",
        "source": None,
    }


@pytest.mark.real
def test_default_exclusion_is_the_six_country_subset(shared_data_dir, monkeypatch):
    from cultureval.definitions import task_definition

    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(shared_data_dir))
    excluded = export_sft.excluded_items(list(export_sft.DEFAULT_EXCLUDE))
    six = task_definition("global_opinion_cot_6c").load_dataset()
    assert excluded == {export_sft.item_key(doc) for doc in six}
    assert len(excluded) == len(six) == 598  # the study's 600 items, 598 of them in the shared rebuild


def test_missing_inputs_are_clear_errors(tmp_path, use_fixture_data):
    with pytest.raises(InputError, match="no such file"):
        export_sft.read_answers([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds neither lm-eval results"):
        export_sft.read_answers([tmp_path / "empty"])


@pytest.mark.e2e
def test_inspect_cot_run_exports_exactly_its_rendered_prompts(use_fixture_data, tmp_path):
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from cultureval.tasks.global_opinions.inspect_tasks import global_opinion_cot_binary
    from cultureval.tasks.global_opinions.scoring import score_cot_text

    # Inspect's scripted model answers every item with the same readable distribution
    reply = "<think>Most people would say yes.</think>\n{0.7, 0.3}"
    outputs = [ModelOutput.from_content("mockllm/model", reply) for _ in range(50)]
    for output in outputs:  # a usage given, so the mock does not fetch a tokenizer to count tokens
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    model = get_model("mockllm/model", custom_outputs=outputs)
    [log] = inspect_eval(global_opinion_cot_binary(), model=model, log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success"
    out = tmp_path / "train.jsonl"
    result = run_cli(
        ["cultureval", "export-sft", str(tmp_path / "logs"), "-o", str(out), "--max-jsd", "0.2"],
        use_fixture_data,
        tmp_path,
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    expected = {}
    for sample in log.samples:
        doc = sample.metadata["doc"]
        distance = score_cot_text(doc, reply)["jsd"]
        if distance < 0.2:
            rendered = [m.text for m in sample.messages if m.role == "user"]
            expected[(doc["question"], doc["country"])] = (rendered[0], distance)
    assert expected and 0 < len(expected) < len(log.samples)  # the threshold keeps some, not all
    assert {
        (r["metadata"]["question"], r["metadata"]["country"]): (r["messages"][0]["content"], r["metadata"]["jsd"])
        for r in rows
    } == {key: (prompt, pytest.approx(d)) for key, (prompt, d) in expected.items()}
    assert all(r["messages"][1]["content"] == reply for r in rows)
    assert (
        f"{len(rows)} kept" in result.stdout and f"{len(log.samples) - len(rows)} above the threshold" in result.stdout
    )


@pytest.mark.e2e
def test_lm_eval_cot_run_reads_the_logged_prompts_and_counts_unreadable_answers(tiny_model, fixture_data_dir, tmp_path):
    task = "global_opinion_cot_binary"
    _, samples = lm_eval_run(
        f"pretrained={tiny_model}", fixture_data_dir, tmp_path, task=task, extra=("--gen_kwargs", "max_gen_toks=8")
    )
    answers = export_sft.read_answers([tmp_path / "lm-eval-out"])
    assert len(answers) == len(samples)
    for read, sample in zip(answers, samples):
        # the prompt the run rendered (plain: doc_to_text itself), read back from the log
        assert read.prompt_logged == cot_doc_to_text(sample["doc"])
        assert read.jsd == sample["jsd"]
    result = run_cli(
        [
            "cultureval",
            "export-sft",
            str(tmp_path / "lm-eval-out"),
            "-o",
            str(tmp_path / "t.jsonl"),
            "--exclude-task",
            "none",
        ],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    unreadable = sum(sample["jsd"] is None for sample in samples)
    assert f"{unreadable} unreadable" in result.stdout
    # a random tiny model writes no readable distribution: nothing to export is an error exit
    assert result.returncode == (0 if unreadable < len(samples) else 1)

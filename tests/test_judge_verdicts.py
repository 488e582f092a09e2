"""Judges, round 2: a score comes only from a reply that is a verdict under the judge prompt's
own rule; malformed numbers in a 200 reply are counted failures; credentials never leave in
clear nor show up in a message or record; no request passes through an environment proxy
unless asked; an unwritable cache or a failing judge never loses what was paid for.

Everything runs the real HTTP path against the fake judge on 127.0.0.1 (tests/fake_judge.py)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math

import pytest
from conftest import run_cli
from fake_judge import (
    MALFORMED_LOGPROBS,
    ODD_ENTAILMENT_REPLIES,
    ODD_POLARITY_REPLIES,
    ODD_STANCE_REPLIES,
    FakeJudge,
    ProxyListener,
    chat_completion,
    replying,
    sensible,
)
from fixtures import write_fixture_data

from cultureval import judge as judges
from cultureval.tasks.binary_settings import judge as stance
from cultureval.tasks.culturebank import judge as entailment
from cultureval.tasks.wvs_polarity import judge as polarity


def _transport(base_url: str, **settings) -> judges.OpenAICompatibleJudge:
    return judges.OpenAICompatibleJudge(
        judges.JudgeConfig(model="fake-judge", base_url=base_url, backoff=0.01, max_retries=0, **settings)
    )


def _run(transport, coroutine_factory):
    async def go():
        try:
            return await coroutine_factory(transport)
        finally:
            await transport.aclose()

    return asyncio.run(go())


def _entailment(base_url: str, cache=None, **settings):
    return _run(
        _transport(base_url, **settings),
        lambda t: entailment.judge_entailment(t, "Should I tip?", "Yes, tip 15%.", "Tipping is expected.", cache=cache),
    )


# ------------------------------------------------------------------------------ verdicts


@pytest.mark.parametrize("kind", sorted(ODD_ENTAILMENT_REPLIES))
def test_an_entailment_reply_that_is_not_yes_or_no_is_a_counted_failure(kind):
    # before: P(Yes) / (P(Yes) + P(No)) was read from the first token's alternatives whatever the
    # token: "**No**" scored 0.88, "I cannot judge this." 0.95
    text, first, top = ODD_ENTAILMENT_REPLIES[kind]
    with FakeJudge(replying(chat_completion(text, top, first_token=first))) as server:
        result = _entailment(server.base_url)
    assert result.score is None and result.failure == judges.FAILURE_UNPARSEABLE
    assert result.detail == text[:200]


def test_the_inspect_grader_path_applies_the_same_rule():
    """``scorers/judged.py`` calls the family's ``judge_item`` with an ``InspectModelJudge``: the
    grader's "**No**" with its first-token log-probabilities is a failure there too."""
    from types import SimpleNamespace

    text, first, top = ODD_ENTAILMENT_REPLIES["markdown emphasis"]

    class Grader:
        model_args = None

        async def generate(self, prompt, config):
            alternatives = [SimpleNamespace(token=t, logprob=lp) for t, lp in top.items()]
            head = SimpleNamespace(token=first, logprob=top[first], top_logprobs=alternatives)
            choice = SimpleNamespace(logprobs=SimpleNamespace(content=[head]))
            return SimpleNamespace(completion=text, choices=[choice])

        def __str__(self):
            return "openai/grader"

    doc = {
        "eval_question": "Should I tip?",
        "eval_whole_desc": "Tipping is expected.",
        "topic": "t",
        "cultural_group": "g",
    }
    record, line = asyncio.run(entailment.judge_item(judges.InspectModelJudge(Grader()), None, doc, "Tip 15%."))
    assert record["score"] is None and line["failure"] == judges.FAILURE_UNPARSEABLE


@pytest.mark.parametrize("text, first", [("Yes", "Yes"), ("yes.", "yes"), (" No\n", "ĠNo")])
def test_a_verdict_scores_from_its_own_token_log_probabilities(text, first):
    # hand-worked: the verdict token at -0.3, the other word at -1.5, another token ignored:
    # P(verdict) = e^-0.3 / (e^-0.3 + e^-1.5)
    other = "No" if text.strip().lower().startswith("y") else "Yes"
    top = {first: -0.3, other: -1.5, "Maybe": -2.0}
    p_verdict = math.exp(-0.3) / (math.exp(-0.3) + math.exp(-1.5))
    expected = p_verdict if other == "No" else 1 - p_verdict
    with FakeJudge(replying(chat_completion(text, top, first_token=first))) as server:
        result = _entailment(server.base_url)
    assert result.failure is None and result.method == "logprobs"
    assert result.score == pytest.approx(expected)


def test_a_verdict_whose_first_token_is_not_the_verdict_word_scores_from_the_text():
    # "Yes" generated as "Y" + "es": the alternatives of "Y" say nothing about Yes against No
    with FakeJudge(replying(chat_completion("Yes", {"Y": -0.1, "No": -0.5}, first_token="Y"))) as server:
        result = _entailment(server.base_url)
    assert (result.score, result.method, result.failure) == (1.0, "text", None)


@pytest.mark.parametrize(
    "text", ["Yes and no", "**No**", "No, because", "Yesterday", "yes yes", "", "Y", "I cannot judge this."]
)
def test_parse_yes_no_accepts_only_the_one_word_the_prompt_asks_for(text):
    assert entailment.parse_yes_no(text) is None


@pytest.mark.parametrize("text, verdict", [("Yes", True), ("no.", False), ("  NO \n", False), ("yes.", True)])
def test_parse_yes_no_reads_the_verdict(text, verdict):
    assert entailment.parse_yes_no(text) is verdict


@pytest.mark.parametrize("reply", ODD_STANCE_REPLIES)
def test_a_stance_reply_that_is_not_one_of_0_1_2_is_unreadable(reply):
    # before: "-1", "1.5" and "1 or 2" read as option 1
    assert stance.parse_stance(reply) is None


@pytest.mark.parametrize("reply, label", [("1", "1"), (" 2.", "2"), ("0\n", "unclassifiable")])
def test_a_stance_reply_of_one_character_is_read(reply, label):
    assert stance.parse_stance(reply) == label


@pytest.mark.parametrize("kind", sorted(ODD_POLARITY_REPLIES))
def test_a_polarity_reply_that_is_not_exactly_the_json_asked_for_is_unreadable(kind):
    with FakeJudge(replying(chat_completion(ODD_POLARITY_REPLIES[kind]))) as server:
        result = _run(
            _transport(server.base_url),
            lambda t: polarity.judge_polarity(t, "1. A agrees.", "X is good.", "X is bad."),
        )
    assert result.labels is None and result.failure == judges.FAILURE_UNPARSEABLE


def test_stance_judge_item_counts_odd_replies_over_http():
    doc = {
        "question_id": 3,
        "question": "Is X good?",
        "options": ["Good", "Bad"],
        "country": "Peru",
        "survey_distribution": [0.6, 0.4],
        "sample_index": 0,
    }
    for reply in ODD_STANCE_REPLIES:
        with FakeJudge(replying(chat_completion(reply))) as server:
            record, line = _run(_transport(server.base_url), lambda t: stance.judge_item(t, None, doc, "X is good."))
        assert record["label"] is None and line["failure"] == judges.FAILURE_UNPARSEABLE, reply


# ------------------------------------------------------------------------------ malformed numbers


@pytest.mark.parametrize("kind", sorted(MALFORMED_LOGPROBS))
def test_malformed_numbers_in_a_200_reply_are_counted_failures(kind):
    # before: TypeError (null), ValueError ("n/a"), AttributeError (a list), OverflowError (800)
    payload = chat_completion("Yes", logprobs=MALFORMED_LOGPROBS[kind])
    with FakeJudge(replying(payload)) as server:
        result = _entailment(server.base_url)
    assert result.score is None and result.failure == judges.FAILURE_MALFORMED
    assert "malformed chat completion" in result.detail


def test_malformed_replies_reach_the_judged_files_not_a_traceback(tmp_path):
    data = write_fixture_data(tmp_path / "data")
    out = _culturebank_output(tmp_path / "out", n=2)
    payload = chat_completion("Yes", logprobs=MALFORMED_LOGPROBS["logprob of 800"])
    with FakeJudge(replying(payload)) as server:
        result = _judge_cli(out, server.base_url, data, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "culturebank_tiktok" in result.stderr and "no judgement" in result.stderr
    judged = json.loads(next(out.glob("results_judged_*.json")).read_text())
    assert judged["cultureval_judge"]["tasks"]["culturebank_tiktok"]["failures"] == {judges.FAILURE_MALFORMED: 2}


# ------------------------------------------------------------------------------ credentials and proxies


def test_url_credentials_never_appear_in_messages_warnings_or_records(tmp_path, caplog):
    data = write_fixture_data(tmp_path / "data")
    out = _culturebank_output(tmp_path / "out", n=2)
    with FakeJudge(replying("denied", status=403)) as server:
        url = server.base_url.replace("http://", "http://alice:hunter2@")
        result = _judge_cli(out, url, data, tmp_path)
        direct = _entailment(url)  # the library path: the message it returns and logs
    assert server.requests, "the judge was asked"
    # the credentials went, as HTTP Basic authentication, to this machine
    assert server.requests[0]["auth"] == "Basic " + base64.b64encode(b"alice:hunter2").decode()
    written = "".join(path.read_text() for path in out.iterdir())
    for text in (result.stdout, result.stderr, written, direct.detail, caplog.text):
        assert "hunter2" not in text and "alice" not in text
    assert "403" in direct.detail and "127.0.0.1" in direct.detail


def test_redact_removes_userinfo_and_secrets():
    text = "POST http://bob:s%40cret@10.1.2.3/v1 failed; key sk-abcdef; ftp://u@h/x"
    assert judges.redact(text, ["sk-abcdef", "s@cret"]) == "POST http://10.1.2.3/v1 failed; key ***; ftp://h/x"


@pytest.mark.parametrize(
    "url, sent",
    [
        ("http://alice:hunter2@10.0.0.7:8000/v1", False),
        ("http://alice:hunter2@judge.example.com/v1", False),
        ("https://alice:hunter2@judge.example.com/v1", True),
        ("http://alice:hunter2@localhost:8000/v1", True),
    ],
)
def test_url_credentials_are_treated_like_the_api_key(url, sent, caplog, monkeypatch):
    monkeypatch.delenv("CULTUREVAL_JUDGE_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with caplog.at_level(logging.WARNING, logger="cultureval.judge"):
        transport = _transport(url)
        opted_in = _transport(url, allow_insecure_key=True)
    assert (transport._client.auth is not None) is sent
    assert opted_in._client.auth is not None
    assert "alice" not in str(transport._client.base_url) and "hunter2" not in caplog.text
    assert ("not sending the judge user name and password" in caplog.text) is (not sent)
    asyncio.run(transport.aclose())
    asyncio.run(opted_in.aclose())


def test_no_request_and_no_key_go_through_an_environment_proxy(monkeypatch):
    monkeypatch.setenv("CULTUREVAL_JUDGE_API_KEY", "sk-secret")
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with ProxyListener() as proxy, FakeJudge() as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)
        url = server.base_url.replace("127.0.0.1", "localhost")
        direct = _entailment(url)
        assert direct.failure is None and len(server.requests) == 1
        assert server.requests[0]["auth"] == "Bearer sk-secret"
        assert proxy.connections == []  # the proxy received nothing
        # opting in (--judge-trust-env) does use it: the listener above can see a request
        through = _entailment(url, trust_env=True)
    assert through.failure == judges.FAILURE_TRANSPORT and len(proxy.connections) == 1
    assert len(server.requests) == 1


# ------------------------------------------------------------------------------ cache and exit status


def test_an_unwritable_cache_warns_once_and_keeps_the_paid_results(tmp_path, caplog):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    cache = judges.JudgeCache(blocked)
    with FakeJudge() as server, caplog.at_level(logging.WARNING, logger="cultureval.judge"):
        first = _entailment(server.base_url, cache=cache)
        second = _entailment(server.base_url, cache=cache)
    assert first.failure is None and second.failure is None and first.score == pytest.approx(0.8)
    assert len(server.requests) == 2 and cache.write_error
    assert caplog.text.count("is not writable") == 1


def test_judge_cli_with_an_unwritable_cache_writes_its_results(tmp_path):
    data = write_fixture_data(tmp_path / "data")
    out = _culturebank_output(tmp_path / "out", n=3)
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    with FakeJudge() as server:
        result = _judge_cli(
            out,
            server.base_url,
            data,
            tmp_path,
            env={"CULTUREVAL_JUDGE_CACHE_DIR": str(blocked), "CULTUREVAL_JUDGE_CACHE": "1"},
        )
    assert result.returncode == 0, result.stderr
    assert "is not writable" in result.stderr
    judged = json.loads(next(out.glob("results_judged_*.json")).read_text())
    assert judged["cultureval_judge"]["tasks"]["culturebank_tiktok"]["n_judged"] == 3
    assert "cache_write_error" in judged["cultureval_judge"]


def test_judge_cli_exits_1_when_most_requests_of_a_task_failed(tmp_path):
    data = write_fixture_data(tmp_path / "data")
    out = _culturebank_output(tmp_path / "out", n=6)

    def mostly_failing(body, attempt):
        return sensible(body, attempt) if attempt == 1 else (500, "boom")

    with FakeJudge(mostly_failing) as server:
        result = _judge_cli(out, server.base_url, data, tmp_path, extra=["--concurrency", "1"])
    assert result.returncode == 1
    assert "culturebank_tiktok" in result.stderr and "most judgements failed: 5 of 6" in result.stderr
    assert next(out.glob("samples_judged_*.jsonl")).read_text().count("\n") == 6  # kept what was paid for


def test_judge_cli_exits_1_when_one_of_two_tasks_got_no_judgement(tmp_path):
    data = write_fixture_data(tmp_path / "data")
    out = _culturebank_output(tmp_path / "out", n=2, tasks=("culturebank_tiktok", "culturebank_reddit"))

    def reddit_fails(body, attempt):
        prompt = body["messages"][-1]["content"]
        return (500, "boom") if "reddit" in prompt else sensible(body, attempt)

    with FakeJudge(reddit_fails) as server:
        result = _judge_cli(out, server.base_url, data, tmp_path)
    assert result.returncode == 1
    (problem,) = [line for line in result.stderr.splitlines() if line.startswith("cultureval judge: culturebank_")]
    assert problem.startswith("cultureval judge: culturebank_reddit in ") and "no judgement: 2 of 2" in problem
    judged = json.loads(next(out.glob("results_judged_*.json")).read_text())
    assert judged["cultureval_judge"]["tasks"]["culturebank_tiktok"]["n_judged"] == 2


# ------------------------------------------------------------------------------ helpers


def _culturebank_output(folder, n: int, tasks=("culturebank_tiktok",)):
    """An lm-eval output folder with ``n`` logged answers per CultureBank task."""
    folder.mkdir(parents=True)
    stamp = "2026-01-01T00-00-00"
    results = {"results": {task: {"alias": task} for task in tasks}, "model_name": "m"}
    (folder / f"results_{stamp}.json").write_text(json.dumps(results))
    for task in tasks:
        split = task.split("_")[-1]
        lines = []
        for i in range(n):
            doc = {
                "eval_question": f"Question {i} from {split}?",
                "eval_whole_desc": f"Knowledge {i}.",
                "topic": "Etiquette",
                "cultural_group": "American",
            }
            answer = f"Always tip {i}." if i % 2 else f"Bring {split} flowers."
            lines.append(json.dumps({"doc_id": i, "doc": doc, "filtered_resps": [answer], "filter": "none"}))
        (folder / f"samples_{task}_{stamp}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _judge_cli(out, base_url, data, tmp_path, env=None, extra=()):
    return run_cli(
        ["cultureval", "judge", str(out), "--judge-model", "fake-judge", "--judge-base-url", base_url, *extra],
        data,
        tmp_path,
        check=False,
        env_extra={"CULTUREVAL_JUDGE_CACHE": "0"} | (env or {}),
    )

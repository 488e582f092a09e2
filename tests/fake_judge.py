"""A fake OpenAI-compatible judge on 127.0.0.1 for tests of the real HTTP path.

``behaviour(body, attempt)`` returns ``(status, payload)`` or ``(status, payload, headers)``: a
dict is sent as JSON, a str as raw text, ``headers`` (e.g. ``Retry-After``) beside;
``attempt`` counts the requests so far (for retry tests). ``delay`` seconds of sleep
before answering simulate a timeout.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chat_completion(
    text: str, top_logprobs: dict[str, float] | None = None, first_token: str | None = None, logprobs=None
) -> dict:
    """A chat completion replying ``text``. ``top_logprobs``: the alternatives of the first
    generated token, which is ``first_token`` (default: the first key). ``logprobs``: the raw
    ``logprobs`` block instead (malformed ones for tests)."""
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    if top_logprobs is not None:
        first = first_token if first_token is not None else next(iter(top_logprobs))
        choice["logprobs"] = {
            "content": [
                {
                    "token": first,
                    "logprob": top_logprobs.get(first, -5.0),
                    "top_logprobs": [{"token": t, "logprob": lp} for t, lp in top_logprobs.items()],
                }
            ]
        }
    if logprobs is not None:
        choice["logprobs"] = logprobs
    return {"id": "fake", "object": "chat.completion", "model": "fake-judge", "choices": [choice]}


def replying(payload, status: int = 200):
    """A judge that answers every request with ``payload`` (a scripted odd reply)."""
    return lambda body, attempt: (status, payload)


# replies a judge may give that are not a verdict under the prompt's rule (each: text, first
# generated token, its top log-probabilities): CultureBank's "exactly one word: Yes or No"
ODD_ENTAILMENT_REPLIES = {
    "markdown emphasis": ("**No**", "**", {"**": -0.1, "Yes": -2.0, "No": -4.0}),
    "refusal": ("I cannot judge this.", "I", {"I": -0.05, "Yes": -3.0, "No": -6.0}),
    "both": ("Yes and no", "Yes", {"Yes": -0.2, "No": -1.8}),
    "extra text": ("Yes, because the answer says so", "Yes", {"Yes": -0.1, "No": -2.4}),
    "quoted": ('"Yes"', '"', {'"': -0.1, "Yes": -2.5, "No": -3.0}),
}
# the three-setting stance judge's "exactly one character: 1, 2 or 0"
ODD_STANCE_REPLIES = ["-1", "1.5", "1 or 2", "**1**", "Option 1", "1 (the first)", "I cannot tell.", "12", ""]
# the polarity judge's "one JSON object and nothing else, exactly of the form {"labels": [...]}"
ODD_POLARITY_REPLIES = {
    "markdown emphasis": "**" + json.dumps({"labels": ["pro"] * 10}) + "**",
    "refusal": "I cannot label these interviews.",
    "both sides": json.dumps({"labels": ["pro/con"] + ["pro"] * 9}),
    "extra text": json.dumps({"labels": ["pro"] * 10}) + " Hope this helps!",
    "another key": json.dumps({"labels": ["pro"] * 10, "note": "unsure"}),
    "key twice": '{"labels": ' + json.dumps(["con"] * 10) + ', "labels": ' + json.dumps(["pro"] * 10) + "}",
}
# 200 replies whose numbers are malformed (CultureBank asks for log-probabilities)
MALFORMED_LOGPROBS = {
    "null logprob": {"content": [{"token": "Yes", "logprob": None, "top_logprobs": [{"token": "Yes", "logprob": None}]}]},
    "string logprob": {"content": [{"token": "Yes", "logprob": "n/a", "top_logprobs": [{"token": "Yes", "logprob": "n/a"}]}]},
    "logprobs is a list": [{"token": "Yes", "logprob": -0.1}],
    "logprob of 800": {"content": [{"token": "Yes", "logprob": 800, "top_logprobs": [{"token": "Yes", "logprob": 800}, {"token": "No", "logprob": -1}]}]},
    "top_logprobs not a list": {"content": [{"token": "Yes", "logprob": -0.1, "top_logprobs": {"Yes": -0.1}}]},
    "token not a string": {"content": [{"token": 7, "logprob": -0.1, "top_logprobs": []}]},
}  # fmt: skip


def deterministic_labels(prompt: str, n: int = 10) -> list[str]:
    """Labels derived from the prompt's hash: stable across runs, varied across responses."""
    digest = hashlib.sha256(prompt.encode()).digest()
    return [("pro", "con", "null")[byte % 3] for byte in digest[:n]]


def stance_reply(prompt: str) -> str:
    """The fake judge's stance label (``1``, ``2`` or ``0``) for a binary-open prompt: from the
    hash of the reply section, so it is stable and varied."""
    reply = prompt.split("The assistant replied:")[-1]
    return "120"[hashlib.sha256(reply.encode()).digest()[0] % 3]


def sensible(body: dict, attempt: int) -> tuple[int, dict]:
    """A well-behaved judge: JSON labels for polarity prompts; Yes/No with log-probabilities
    (P(Yes) = 0.8 when the answer mentions "tip", else 0.3) for entailment prompts; a stance
    digit (:func:`stance_reply`) for the binary study's open-conversation prompts."""
    prompt = body["messages"][-1]["content"]
    if "Which option does the reply take" in prompt:
        return 200, chat_completion(stance_reply(prompt))
    if '"labels"' in prompt:
        n = int(re.search(r"exactly (\d+) labels", prompt).group(1))
        return 200, chat_completion(json.dumps({"labels": deterministic_labels(prompt, n)}))
    p_yes = 0.8 if "tip" in prompt.split("Answer given to the user:")[-1].lower() else 0.3
    logprobs = {"Yes": math.log(p_yes), "No": math.log(1 - p_yes)} if body.get("logprobs") else None
    verdict = "Yes" if p_yes > 0.5 else "No"  # greedy: the generated token is the likelier word
    return 200, chat_completion(verdict, logprobs, first_token=verdict)


class ProxyListener:
    """A TCP listener on 127.0.0.1 that records every connection it receives and answers
    nothing useful (502): set as ``HTTP_PROXY``, it shows whether a client went through it."""

    def __init__(self):
        self.connections: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                outer.connections.append(self.requestline.encode() + b"\n" + bytes(self.headers))
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_CONNECT = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ProxyListener:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeJudge:
    def __init__(self, behaviour=sensible, delay: float = 0.0):
        self.behaviour = behaviour
        self.delay = delay
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                with outer._lock:
                    outer.requests.append(
                        {
                            "path": self.path,
                            "body": body,
                            "auth": self.headers.get("Authorization"),
                            "time": time.monotonic(),
                        }
                    )
                    attempt = len(outer.requests)
                if outer.delay:
                    time.sleep(outer.delay)
                status, payload, *extra = outer.behaviour(body, attempt)
                data = json.dumps(payload).encode() if isinstance(payload, dict) else str(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (extra[0] if extra else {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeJudge:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

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


def chat_completion(text: str, top_logprobs: dict[str, float] | None = None) -> dict:
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    if top_logprobs is not None:
        first = next(iter(top_logprobs))
        choice["logprobs"] = {
            "content": [
                {
                    "token": first,
                    "logprob": top_logprobs[first],
                    "top_logprobs": [{"token": t, "logprob": lp} for t, lp in top_logprobs.items()],
                }
            ]
        }
    return {"id": "fake", "object": "chat.completion", "model": "fake-judge", "choices": [choice]}


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
    return 200, chat_completion("Yes" if p_yes > 0.5 else "No", logprobs)


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

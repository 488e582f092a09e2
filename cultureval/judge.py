"""The judge transports and their cache, shared by the judge-scored families.

A judge is a chat model reached through one of two transports:

* :class:`OpenAICompatibleJudge` — any OpenAI-compatible ``/chat/completions`` endpoint
  (``vllm serve``, OpenAI, ...), used by ``cultureval judge`` over lm-eval's logged samples;
* :class:`InspectModelJudge` — an Inspect ``Model`` (the ``grader`` model role) inside an
  Inspect scorer.

Both return a :class:`JudgeReply`; each family's ``judge.py`` holds its prompt and strict reply
parser (``cultureval.tasks.wvs_polarity.judge``, ``cultureval.tasks.culturebank.judge``) and
calls :func:`ask`. Transport errors are retried with exponential backoff; what still fails is
raised as :class:`JudgeError`, which the families turn into a counted failure (``failure`` =
``"transport"``, ``"unparseable"``, ``"wrong_count"``), never an error in a run. Replies are
cached on disk, keyed by judge model, prompt version and the full request, so a rerun or a
resumed run costs no judge calls.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

FAILURE_TRANSPORT = "transport"
FAILURE_MALFORMED = "malformed_reply"
FAILURE_UNPARSEABLE = "unparseable"
FAILURE_WRONG_COUNT = "wrong_count"
# a log-probability above 0 is impossible; servers computing in float32 return the top token's
# as a few 1e-7 above 0, which is read as 0
_LOGPROB_ROUNDING = 1e-4


class JudgeError(RuntimeError):
    """The judge could not be reached (after retries) or answered with an unusable payload.

    ``kind`` is the failure kind the families count: :data:`FAILURE_TRANSPORT` (no reply) or
    :data:`FAILURE_MALFORMED` (a 200 reply whose body is not a well-formed chat completion, such
    as a log-probability that is not a number <= 0). The message never holds credentials."""

    def __init__(self, message: str, kind: str = FAILURE_TRANSPORT):
        super().__init__(message)
        self.kind = kind


@dataclass
class JudgeReply:
    text: str
    # top log-probabilities of the first generated token, ``{token: logprob}``, when exposed
    first_token_logprobs: dict[str, float] | None = None
    # the first generated token itself (the one those log-probabilities are the alternatives of)
    first_token: str | None = None


class Transport(Protocol):
    name: str

    async def complete(
        self, prompt: str, *, max_tokens: int, logprobs: bool = False, json_mode: bool = False
    ) -> JudgeReply: ...


# --------------------------------------------------------------------------------------------
# Transports


@dataclass
class JudgeConfig:
    """Where the OpenAI-compatible judge lives. Empty fields fall back to the environment:
    ``CULTUREVAL_JUDGE_BASE_URL`` (then ``OPENAI_BASE_URL``, then OpenAI's API),
    ``CULTUREVAL_JUDGE_MODEL``, and the key from the variable named by ``api_key_env``
    (``CULTUREVAL_JUDGE_API_KEY``, then ``OPENAI_API_KEY``; a local ``vllm serve`` needs none)."""

    model: str = ""
    base_url: str = ""
    api_key_env: str = ""
    timeout: float = 120.0
    max_retries: int = 4
    backoff: float = 1.0  # first wait in seconds; doubles per retry, capped at 30 s
    concurrency: int = 8
    json_mode: bool = True  # send response_format={"type": "json_object"} for JSON prompts
    top_logprobs: int = 5
    # send the API key (or the URL's user name and password) over plain HTTP to a host that is
    # not this machine (off: they are withheld)
    allow_insecure_key: bool = False
    # use the proxy, CA bundle and .netrc settings of the environment (HTTP_PROXY, HTTPS_PROXY,
    # ALL_PROXY, NO_PROXY, SSL_CERT_FILE, ...); off: the judge is reached directly, so no request,
    # and no key, passes through a proxy the user did not choose for it
    trust_env: bool = False
    max_retry_after: float = 120.0  # longest Retry-After (seconds) a 429/503 reply is obeyed for

    @classmethod
    def from_file(cls, path: str | Path) -> JudgeConfig:
        import yaml

        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
        section = raw.get("judge", raw)
        unknown = set(section) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(
                f"{path}: unknown judge settings {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}"
            )
        return cls(**section)

    def resolved(self) -> JudgeConfig:
        env = os.environ
        model = self.model or env.get("CULTUREVAL_JUDGE_MODEL", "")
        if not model:
            raise ValueError(
                "no judge model: pass --judge-model, set model in the judge config, or set CULTUREVAL_JUDGE_MODEL"
            )
        base_url = (
            self.base_url
            or env.get("CULTUREVAL_JUDGE_BASE_URL")
            or env.get("OPENAI_BASE_URL")
            or "https://api.openai.com/v1"
        )
        return JudgeConfig(**(asdict(self) | {"model": model, "base_url": base_url.rstrip("/")}))

    def api_key(self) -> str | None:
        names = [self.api_key_env] if self.api_key_env else ["CULTUREVAL_JUDGE_API_KEY", "OPENAI_API_KEY"]
        for name in names:
            if os.environ.get(name):
                return os.environ[name]
        return None


def redacted_url(url: str) -> str:
    """``url`` without the user name and password it may embed (``https://user:key@host/v1``
    -> ``https://host/v1``): what results and logs may record."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))


def url_credentials(url: str) -> tuple[str, str] | None:
    """The ``(user name, password)`` a URL embeds (percent-decoded), or ``None``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return None
    return unquote(parts.username or ""), unquote(parts.password or "")


# the user-info part of any URL in a text: scheme://user:password@
_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,30}://)[^/\s]*@")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the user-info of every URL in it and every one of ``secrets`` (an API key,
    a password, raw and percent-encoded) replaced by ``***``: what messages and records may hold."""
    text = _USERINFO_RE.sub(lambda match: match.group(1), text)
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        for form in {secret, quote(secret, safe="")}:
            text = text.replace(form, "***")
    return text


def is_safe_for_credentials(url: str) -> bool:
    """``True`` for HTTPS, and for plain HTTP to this machine (a loopback address or
    ``localhost``): where an API key does not travel in clear over a network."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_after_seconds(response, limit: float) -> float | None:
    """The wait a ``Retry-After`` header asks for (seconds, or an HTTP date), capped at ``limit``;
    ``None`` without a readable header."""
    value = (response.headers.get("retry-after") or "").strip() if response is not None else ""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), limit)


class OpenAICompatibleJudge:
    """A judge behind an OpenAI-compatible ``POST {base_url}/chat/completions``.

    Greedy (``temperature=0``). Connection errors, timeouts, HTTP 429 and 5xx are retried
    ``max_retries`` times with exponential backoff, or after the ``Retry-After`` the server asks
    for; other HTTP errors and malformed response bodies fail at once. Either way the caller gets
    :class:`JudgeError`.

    Credentials: the API key, and a user name and password embedded in ``base_url``
    (``https://user:password@host/v1``, sent as HTTP Basic authentication; it then replaces the
    key), are sent only over HTTPS or to this machine, unless ``allow_insecure_key``. Requests go
    straight to the judge, never through a proxy from the environment, unless ``trust_env``.
    The URL is recorded without its credentials, and every error message is redacted
    (:func:`redact`).
    """

    def __init__(self, config: JudgeConfig):
        import httpx

        self.config = config.resolved()
        self.url = redacted_url(self.config.base_url)
        self.name = f"openai-compatible/{self.config.model}@{self.url}"
        headers = {"Content-Type": "application/json"}
        key = self.config.api_key()
        basic = url_credentials(self.config.base_url)
        self._secrets = [secret for secret in (key, basic[1] if basic else None) if secret]
        if (key or basic) and not (is_safe_for_credentials(self.url) or self.config.allow_insecure_key):
            logger.warning(
                "not sending the judge %s to %s: plain HTTP to another machine; use https, a loopback "
                "address, or allow_insecure_key (--judge-allow-insecure-key) if this network is trusted",
                "user name and password" if basic else "API key",
                self.url,
            )
            key = basic = None
        if key and not basic:
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.AsyncClient(
            base_url=self.url,
            headers=headers,
            auth=httpx.BasicAuth(*basic) if basic else None,
            timeout=self.config.timeout,
            trust_env=self.config.trust_env,
        )
        self._semaphore = asyncio.Semaphore(max(1, self.config.concurrency))

    @property
    def cache_name(self) -> str:
        # two servers may serve different weights under one model name: key by endpoint too
        return f"openai-compatible/{self.config.model}@{self.url}"

    async def aclose(self) -> None:
        await self._client.aclose()

    def request(self, prompt: str, *, max_tokens: int, logprobs: bool = False, json_mode: bool = False) -> dict:
        """The JSON body sent for ``prompt`` (and the key of its cached reply, :func:`ask`)."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
            "temperature": 0.0,
        }
        if logprobs:
            body |= {"logprobs": True, "top_logprobs": self.config.top_logprobs}
        if json_mode and self.config.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    async def complete(
        self, prompt: str, *, max_tokens: int, logprobs: bool = False, json_mode: bool = False
    ) -> JudgeReply:
        import httpx
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

        backoff = wait_exponential(multiplier=self.config.backoff, max=30)

        def wait(retry_state) -> float:
            error = retry_state.outcome.exception() if retry_state.outcome else None
            asked = retry_after_seconds(getattr(error, "response", None), self.config.max_retry_after)
            return asked if asked is not None else backoff(retry_state)

        def retryable(error: BaseException) -> bool:
            if isinstance(error, httpx.TransportError):
                return True
            return isinstance(error, httpx.HTTPStatusError) and (
                error.response.status_code == 429 or error.response.status_code >= 500
            )

        body = self.request(prompt, max_tokens=max_tokens, logprobs=logprobs, json_mode=json_mode)
        try:
            async with self._semaphore:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self.config.max_retries + 1),
                    wait=wait,
                    retry=retry_if_exception(retryable),
                    reraise=True,
                ):
                    with attempt:
                        response = await self._client.post("/chat/completions", json=body)
                        response.raise_for_status()
        except httpx.HTTPError as error:
            raise JudgeError(redact(f"{self.name}: {type(error).__name__}: {error}", self._secrets)) from None
        try:
            return reply_from_openai_body(response.json(), logprobs)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            message = f"{self.name}: malformed chat completion ({type(error).__name__}: {error})"
            raise JudgeError(redact(message, self._secrets), kind=FAILURE_MALFORMED) from None


def _logprob(value: Any) -> float:
    """A log-probability as a reply gives it: a real number <= 0 (a few 1e-7 above 0 read as 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"log-probability {str(value)[:40]!r} is not a number")
    value = float(value)
    if not (math.isfinite(value) or value == -math.inf) or value > _LOGPROB_ROUNDING:
        raise ValueError(f"log-probability {value!r} is not a number <= 0")
    return min(value, 0.0)


def first_token_logprobs(token: Any, logprob: Any, alternatives: Any) -> tuple[str, dict[str, float]]:
    """The first generated token and ``{token: logprob}`` of its top alternatives (the token
    itself included), checked: tokens are strings, log-probabilities numbers <= 0 (``-inf``
    allowed). Anything else raises ``TypeError``/``ValueError``: a malformed reply."""
    if not isinstance(token, str):
        raise TypeError(f"generated token {str(token)[:40]!r} is not a string")
    if not isinstance(alternatives, list):
        raise TypeError("top_logprobs is not a list")
    found: dict[str, float] = {}
    for item in alternatives:
        if not isinstance(item, dict) or not isinstance(item.get("token"), str):
            raise TypeError("a top_logprobs entry is not {token: str, logprob: number}")
        found[item["token"]] = max(found.get(item["token"], -math.inf), _logprob(item.get("logprob")))
    found.setdefault(token, _logprob(logprob))
    return token, found


def reply_from_openai_body(payload: Any, logprobs: bool = False) -> JudgeReply:
    """The :class:`JudgeReply` in a chat-completion body (``choices[0]``): its text, and when
    ``logprobs`` were asked for and given, the first generated token and its top alternatives.
    A body of another shape, or a log-probability that is not a number <= 0, raises
    ``TypeError``/``ValueError``/``KeyError``/``IndexError``."""
    choice = payload["choices"][0]
    if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
        raise TypeError("choices[0].message is not an object")
    text = choice["message"].get("content") or ""
    if not isinstance(text, str):
        raise TypeError("message content is not a string")
    block = choice.get("logprobs")
    if not logprobs or block is None:
        return JudgeReply(text=text)
    if not isinstance(block, dict) or not isinstance(block.get("content") or [], list):
        raise TypeError("logprobs is not {content: [...]}")
    content = block.get("content") or []
    if not content:
        return JudgeReply(text=text)
    head = content[0]
    if not isinstance(head, dict):
        raise TypeError("logprobs.content[0] is not an object")
    token, top = first_token_logprobs(head.get("token"), head.get("logprob"), head.get("top_logprobs") or [])
    return JudgeReply(text=text, first_token_logprobs=top, first_token=token)


class InspectModelJudge:
    """An Inspect ``Model`` (normally ``get_model(role="grader")``) as a judge.

    Inspect's own retry policy applies to the call; an exception that still escapes is a
    counted transport failure. Inspect's ``hf`` provider rejects ``temperature=0`` and decodes
    greedily only when loaded with ``-M do_sample=false``; other providers get
    ``temperature=0``.
    """

    def __init__(self, model, top_logprobs: int = 5):
        self.model = model
        self.name = f"inspect/{model}"
        # the name after a local provider's "/" is only a label (hf/any -M model_path=...):
        # key the cache by the model arguments too, so two local models never share replies
        from cultureval.identity import model_identity

        model_args = getattr(model, "model_args", {}) or {}
        arguments = json.dumps(model_args, sort_keys=True, default=str)
        # and by the content of a local model folder, so a retrained judge in the same folder
        # does not read the old one's replies
        content = model_identity({k: v for k, v in model_args.items() if isinstance(v, str)}).get("sha256")
        self.cache_name = f"{self.name} {arguments}" + (f" sha256={content}" if content else "")
        self.top_logprobs = top_logprobs

    def settings(self, max_tokens: int, logprobs: bool) -> dict:
        settings: dict[str, Any] = {"max_tokens": max_tokens}
        if not str(self.model).startswith("hf/"):
            settings["temperature"] = 0.0
        if logprobs:
            settings |= {"logprobs": True, "top_logprobs": self.top_logprobs}
        return settings

    def request(self, prompt: str, *, max_tokens: int, logprobs: bool = False, json_mode: bool = False) -> dict:
        """What is asked of the model for ``prompt``: the prompt, this call's settings and the
        model's own generation config (the key of its cached reply, :func:`ask`)."""
        dump = getattr(getattr(self.model, "config", None), "model_dump", None)
        base = dump(exclude_none=True) if dump is not None else {}
        return {"prompt": prompt, "settings": self.settings(max_tokens, logprobs), "model_config": base}

    async def complete(
        self, prompt: str, *, max_tokens: int, logprobs: bool = False, json_mode: bool = False
    ) -> JudgeReply:
        from inspect_ai.model import GenerateConfig

        settings = self.settings(max_tokens, logprobs)
        try:
            output = await self.model.generate(prompt, config=GenerateConfig(**settings))
        except Exception as error:  # provider errors of every kind end as a counted failure
            raise JudgeError(redact(f"{self.name}: {type(error).__name__}: {error}")) from None
        text = output.completion or ""
        choice = output.choices[0] if output.choices else None
        if not (logprobs and choice is not None and choice.logprobs and choice.logprobs.content):
            return JudgeReply(text=text)
        head = choice.logprobs.content[0]
        alternatives = [{"token": item.token, "logprob": item.logprob} for item in (head.top_logprobs or [])]
        try:
            token, top = first_token_logprobs(head.token, head.logprob, alternatives)
        except (TypeError, ValueError) as error:
            raise JudgeError(f"{self.name}: malformed log-probabilities ({error})", kind=FAILURE_MALFORMED) from None
        return JudgeReply(text=text, first_token_logprobs=top, first_token=token)


# --------------------------------------------------------------------------------------------
# Cache


class JudgeCache:
    """Judge replies on disk, one JSON file per request under ``directory``.

    The key is the sha256 of the judge's name (model and endpoint, or an Inspect model with its
    arguments), the prompt version and the whole request (prompt and decoding settings). Only
    replies that arrived and that the family's parser can read are cached (:func:`ask`):
    transport failures and unreadable replies are asked again on the next run.
    """

    def __init__(self, directory: str | Path | None = None, enabled: bool = True):
        from cultureval.paths import cache_dir

        default = os.environ.get("CULTUREVAL_JUDGE_CACHE_DIR") or cache_dir() / "judge"
        self.directory = Path(directory) if directory else Path(default)
        self.enabled = enabled and os.environ.get("CULTUREVAL_JUDGE_CACHE", "1") != "0"
        self.hits = 0
        # set when a reply could not be written (an unwritable folder, a full disk): writing
        # stops, with one warning, and the run goes on with the replies it paid for
        self.write_error: str | None = None

    @staticmethod
    def key(judge_name: str, prompt_version: str, request: dict) -> str:
        blob = json.dumps({"judge": judge_name, "version": prompt_version, "request": request}, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> JudgeReply | None:
        """The cached reply, or ``None`` (absent, unreadable, or written before replies recorded
        their first token: such log-probabilities cannot be checked against the verdict)."""
        if not self.enabled:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            text, top = data["text"], data.get("first_token_logprobs")
            if not isinstance(text, str):
                return None
            reply = JudgeReply(text=text)
            if top is not None:
                if not isinstance(top, dict) or "first_token" not in data:
                    return None
                alternatives = [{"token": token, "logprob": logprob} for token, logprob in top.items()]
                token, checked = first_token_logprobs(data["first_token"], top.get(data["first_token"]), alternatives)
                reply = JudgeReply(text=text, first_token_logprobs=checked, first_token=token)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        self.hits += 1
        return reply

    def put(self, key: str, reply: JudgeReply) -> None:
        """Write ``reply``; when that fails, warn once and stop writing (never raise: the reply
        was paid for and the run goes on without caching)."""
        if not self.enabled or self.write_error is not None:
            return
        path = self._path(key)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(asdict(reply)), encoding="utf-8")
            temporary.replace(path)
        except OSError as error:
            self.write_error = f"{type(error).__name__}: {error.strerror or error}"
            logger.warning(
                "judge cache %s is not writable (%s): going on without caching; replies of this run "
                "will be asked again next time (set CULTUREVAL_JUDGE_CACHE_DIR to a writable folder)",
                self.directory,
                self.write_error,
            )


async def ask(
    transport: Transport,
    cache: JudgeCache | None,
    version: str,
    prompt: str,
    usable: Callable[[JudgeReply], bool] | None = None,
    **settings,
) -> JudgeReply:
    """The judge's reply to ``prompt``, from the cache when it holds one. A reply is cached only
    when ``usable(reply)`` (the family's parser can read it): an unreadable reply is asked again
    on the next run, so a fixed judge or prompt is not stuck with an old failure."""
    # the key holds the request as sent (decoding settings, top_logprobs, response format), not
    # only the arguments of this call: a changed judge config never reads another config's reply
    build = getattr(transport, "request", None)
    request = build(prompt, **settings) if callable(build) else {"prompt": prompt} | settings
    key = JudgeCache.key(getattr(transport, "cache_name", transport.name), version, request)
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    reply = await transport.complete(prompt, **settings)
    if cache is not None and (usable is None or usable(reply)):
        cache.put(key, reply)
    return reply

"""Run identity: what a number depends on, fingerprinted once per run.

Every result records these in its provenance block (lm-eval: ``configs.<task>.metadata.cultureval``;
Inspect: the eval's ``metadata``), caches are keyed by them, and the report never ranks two runs
that differ in them (:mod:`cultureval.comparability`):

- ``docs_sha256``: the documents the task evaluates (every document of the split, whatever
  ``--limit`` says): what the model's answers are scored against. It moves with the data file
  (``data_source.sha256``), the subset, the task's data options and the loader's reading.
- ``prompt_sha256``: what the model is sent for those documents, independent of the harness:
  each document's user text (``doc_to_text``), options and target, the answer stem
  (``gen_prefix``), the plain layout, the description and system instruction, the number of
  shots, and for generative tasks the generation settings (:func:`generation_settings`).
  The chat template is the model's (its folder's fingerprint) and the rendering mode is
  recorded beside it (``rendering``).
- ``shots``: examples shown before each item: lm-eval's ``num_fewshot`` (refused above 0 by
  :mod:`cultureval.preflight`) plus shots a task builds into its documents (the few-shot
  steering task's ``k``, declared by its loader as ``data_source.shots``).
- ``model``: :func:`model_identity` — the model and adapter as named, a revision, and a content
  fingerprint of each local folder (:func:`folder_fingerprint`).

One pass over the documents computes both hashes: about a second for GlobalOpinionQA's 10,402
(question, country) items on two shared CPU cores (``benchmarks/identity.py``), once per run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

# files up to this size are hashed whole (configs, tokenizers, adapters); larger ones (base model
# weights) by their size and three 1 MiB samples: start (a safetensors header names every
# tensor), middle and end. Fine-tuning changes every tensor, so the samples differ.
WHOLE_FILE_BYTES = 64 << 20
SAMPLE_BYTES = 1 << 20
MODEL_PATH_KEYS = ("pretrained", "model_path", "model")
ADAPTER_KEYS = ("peft", "lora_local_path", "adapter")
TOKENIZER_KEYS = ("tokenizer", "tokenizer_path")
REVISION_KEYS = ("revision", "model_revision")


def canonical_json(value: Any) -> str:
    """``value`` as JSON with sorted keys and no whitespace, so equal values hash equally."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_of(value: Any) -> str:
    """sha256 (hex) of :func:`canonical_json` of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def docs_fingerprint(docs: Iterable[dict]) -> str:
    """``docs_sha256`` of documents in order (sha256 hex of each document's canonical JSON and a
    newline): what :func:`document_fingerprints` records, for documents read again."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(canonical_json(doc).encode("utf-8") + b"\n")
    return digest.hexdigest()


def document_fingerprints(rendered: Iterable[tuple[dict, Any]], settings: dict) -> tuple[str, str, int]:
    """``(docs_sha256, prompt_sha256, n_docs)`` over ``(doc, what the model is sent for it)``
    pairs (the user text and the options, in document order); ``settings`` is what the task
    sends with every document (stem, layout, generation settings, shots)."""
    pairs = list(rendered)
    prompt_digest = hashlib.sha256(canonical_json(settings).encode("utf-8"))
    for _, sent in pairs:
        prompt_digest.update(canonical_json(sent).encode("utf-8") + b"\n")
    return docs_fingerprint(doc for doc, _ in pairs), prompt_digest.hexdigest(), len(pairs)


def generation_settings(
    max_tokens: int | None, temperature: float | None, stop: Iterable[str] | None, samples: int | None
) -> dict:
    """The generation settings of a generative task in one form for both harnesses: greedy
    decoding is ``temperature`` 0."""
    return {
        "max_tokens": int(max_tokens) if max_tokens is not None else None,
        "temperature": float(temperature or 0.0),
        "stop": sorted(str(s) for s in (stop or [])),
        "samples_per_item": int(samples or 1),
    }


def lm_eval_generation(generation_kwargs: dict | None, repeats: int | None) -> dict:
    """:func:`generation_settings` of an lm-eval ``generation_kwargs`` (after ``--gen_kwargs``);
    lm-eval's default ``max_gen_toks`` is 256."""
    kwargs = dict(generation_kwargs or {})
    sampled = bool(kwargs.get("do_sample"))
    until = kwargs.get("until") or []
    return generation_settings(
        kwargs.get("max_gen_toks", 256),
        kwargs.get("temperature", 1.0) if sampled else 0.0,
        [until] if isinstance(until, str) else until,
        repeats,
    )


def _file_digest(path: Path, size: int) -> str:
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as handle:
        if size <= WHOLE_FILE_BYTES:
            for block in iter(lambda: handle.read(SAMPLE_BYTES), b""):
                digest.update(block)
        else:
            for offset in (0, size // 2, max(0, size - SAMPLE_BYTES)):
                handle.seek(offset)
                digest.update(handle.read(SAMPLE_BYTES))
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _folder_fingerprint(folder: str, listing: tuple) -> str:
    digest = hashlib.sha256()
    for relative, size, _mtime in listing:
        digest.update(f"{relative}\0{size}\0{_file_digest(Path(folder) / relative, size)}\n".encode())
    return digest.hexdigest()


def folder_fingerprint(path: str | os.PathLike | None) -> str | None:
    """A content fingerprint (sha256 hex) of a local model, adapter or tokenizer folder (or
    file), or ``None`` for a name that is not a local path (a Hub id, a hosted model).

    Every file under the folder counts (hidden folders such as ``.cache`` skipped) by its
    relative name, size and content: whole for files up to :data:`WHOLE_FILE_BYTES`, three
    1 MiB samples for larger ones. Copies of a folder fingerprint alike; modification times do
    not count. Memoised per folder listing, so a run's tasks hash a folder once."""
    if not path:
        return None
    target = Path(str(path)).expanduser()
    if not target.exists():
        return None
    target = target.resolve()
    if target.is_file():
        files = [target]
        root = target.parent
    else:
        root = target
        files = [
            file
            for file in sorted(target.rglob("*"))
            if file.is_file() and not any(part.startswith(".") for part in file.relative_to(target).parts)
        ]
    listing = tuple((str(f.relative_to(root)), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    return _folder_fingerprint(str(root), listing)


def _first(args: dict, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def model_identity(model_args: dict | None, name: str | None = None) -> dict:
    """Who answered: ``{"name", "path", "revision", "sha256", "adapter", "adapter_sha256",
    "tokenizer", "tokenizer_sha256"}`` from a harness's model arguments (lm-eval
    ``pretrained``/``peft``/``lora_local_path``/``tokenizer``/``revision``; Inspect
    ``model_path``/``tokenizer_path``); ``name`` is the harness's own model name (Inspect
    ``hf/label``). Local folders get :func:`folder_fingerprint`; Hub ids and hosted models
    ``None`` (their revision, when given, names them)."""
    args = {str(k): v for k, v in (model_args or {}).items()}
    path = _first(args, MODEL_PATH_KEYS) or name
    adapter = _first(args, ADAPTER_KEYS)
    tokenizer = _first(args, TOKENIZER_KEYS)
    return {
        "name": name,
        "path": path,
        "revision": _first(args, REVISION_KEYS),
        "sha256": folder_fingerprint(path),
        "adapter": adapter,
        "adapter_sha256": folder_fingerprint(adapter),
        "tokenizer": tokenizer,
        "tokenizer_sha256": folder_fingerprint(tokenizer),
    }

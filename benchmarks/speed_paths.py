"""The in-process paths of ``benchmarks/speed.py``, all on one transformers model object:

* ``hand`` — a hand-written loop: each prompt tokenised once, items sorted by length and
  batched, one forward pass per batch; log-probability tasks read the option letters' logits
  at each item's last position only (``logits_to_keep``), generation tasks call
  ``model.generate`` with the task's settings;
* ``hand-full`` — the same loop with the model's default output, logits at every position
  (``model(ids).logits``, as most hand-written loops and lm-eval's HF backend compute them),
  read at the last: the gap between ``hand`` and ``hand-full`` is the cost of full-sequence
  logits; lm-eval's HF backend adds a ``log_softmax`` over every position and its request
  handling;
* ``lm-eval-hf`` — lm-eval's HF backend (``HFLM``) given the same model object, through
  ``simple_evaluate`` as ``cultureval run`` calls it;
* ``inspect-hf`` — Inspect's ``hf`` provider on the same model folder (its own copy of the
  weights): log-probability tasks read the letters from the first generated token's
  ``top_logprobs`` (one prefill per item, logits at the last position only); plain rendering
  through ``configs/inspect/hf_plain_text.yaml``'s verbatim template, so it reads lm-eval's
  string.

Each returns a :class:`Run`: wall seconds, forward calls and tokens fed (padding included),
and per item the option distribution or the generated texts and the task's own per-item score
(``process_results``, the function lm-eval calls).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field

from speed_items import Items, item_score, process_results


@dataclass
class Run:
    path: str
    seconds: float
    forward_calls: int = 0
    fed_tokens: int = 0  # batch x sequence summed over forward calls (padding included)
    per_item: list[dict] = field(default_factory=list)  # doc_id, score, distribution | texts
    prompts: list[str] | None = None  # what the path sent, where the harness logs it
    notes: dict = field(default_factory=dict)


class ForwardCounter:
    """Counts the model's forward calls and the tokens they were given (a pre-hook)."""

    def __init__(self, model):
        self.model, self.calls, self.tokens, self._handle = model, 0, 0, None

    def _hook(self, module, args, kwargs):
        ids = kwargs.get("input_ids") if kwargs.get("input_ids") is not None else (args[0] if args else None)
        self.calls += 1
        self.tokens += int(ids.numel()) if ids is not None else 0

    def __enter__(self):
        self._handle = self.model.register_forward_pre_hook(self._hook, with_kwargs=True)
        return self

    def __exit__(self, *exc):
        self._handle.remove()


def softmax(values: list[float]) -> list[float]:
    top = max(values)
    weights = [math.exp(v - top) for v in values]
    total = sum(weights)
    return [w / total for w in weights]


def _batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Item indices, longest first, in batches (what lm-eval's Collator does too)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def _letter_ids(tokenizer, items: Items) -> list[list[int]]:
    ids = []
    for choices in items.choices:
        row = []
        for choice in choices:
            tokens = tokenizer.encode(choice, add_special_tokens=False)
            if len(tokens) != 1:
                raise SystemExit(f"{items.task}: option {choice!r} is {len(tokens)} tokens; the hand loop reads one")
            row.append(tokens[0])
        ids.append(row)
    return ids


def _last_position_logprobs(model, ids, lengths, full_logits: bool):
    """``[batch, vocab]`` float32 log-probabilities at each row's last real token (rows are
    right-padded; a causal model's earlier positions do not see the padding). ``full_logits``:
    the model's default, logits at every position (what ``model(ids).logits`` gives and
    lm-eval's HF backend computes), read at the last; else only at the rows' last positions."""
    import torch

    last = torch.tensor([n - 1 for n in lengths], device=ids.device)
    rows = torch.arange(len(lengths), device=ids.device)
    if full_logits:
        logits = model(ids).logits[rows, last]
    else:
        keep = torch.unique(last)  # sorted; at most one position per row
        logits = model(ids, logits_to_keep=keep).logits[rows, torch.searchsorted(keep, last)]
    return torch.log_softmax(logits.float(), dim=-1)


def hand_logprob(model, tokenizer, items: Items, batch_size: int, full_logits: bool = False) -> Run:
    """Option-letter log-probabilities: one forward pass per batch of items."""
    import torch

    score = process_results(items.task)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    letters = _letter_ids(tokenizer, items)
    per_item: list[dict] = [{} for _ in items.prompts]
    with torch.inference_mode(), ForwardCounter(model) as counter:
        started = time.perf_counter()
        encoded = tokenizer(items.prompts)["input_ids"]  # one tokenisation per item
        for batch in _batches([len(e) for e in encoded], batch_size):
            lengths = [len(encoded[i]) for i in batch]
            ids = torch.full((len(batch), max(lengths)), pad, dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, : lengths[row]] = torch.tensor(encoded[i])
            logprobs = _last_position_logprobs(model, ids.to(model.device), lengths, full_logits)
            for row, i in enumerate(batch):
                values = logprobs[row, letters[i]].tolist()
                result = score(items.docs[i], [(value, False) for value in values])
                per_item[i] = {"doc_id": items.doc_ids[i], "distribution": softmax(values), "score": item_score(result)}
        seconds = time.perf_counter() - started
    name = "hand-full" if full_logits else "hand"
    return Run(name, seconds, counter.calls, counter.tokens, per_item)


def _cut(text: str, stops: list[str]) -> str:
    """The text before the first stop string (lm-eval's post-processing)."""
    for stop in stops:
        if stop and stop in text:
            text = text.split(stop, 1)[0]
    return text


def _generation_kwargs(tokenizer, items: Items, seed: int) -> dict:
    import torch

    settings = items.generation
    kwargs = {
        "max_new_tokens": int(settings["max_gen_toks"]),
        "do_sample": bool(settings.get("do_sample", False)),
        "pad_token_id": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
    }
    if settings.get("until"):
        kwargs.update(stop_strings=list(settings["until"]), tokenizer=tokenizer)
    if kwargs["do_sample"]:
        kwargs.update(temperature=float(settings.get("temperature", 1.0)), num_return_sequences=items.repeats)
        torch.manual_seed(seed)
    return kwargs


def hand_generate(model, tokenizer, items: Items, batch_size: int, seed: int = 0) -> Run:
    """``model.generate`` over batches of prompts with the task's settings (left padding)."""
    import torch

    score = process_results(items.task)
    kwargs = _generation_kwargs(tokenizer, items, seed)
    stops = list(items.generation.get("until") or [])
    per_item: list[dict] = [{} for _ in items.prompts]
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        with torch.inference_mode(), ForwardCounter(model) as counter:
            started = time.perf_counter()
            lengths = [len(e) for e in tokenizer(items.prompts)["input_ids"]]
            for batch in _batches(lengths, batch_size):
                encoded = tokenizer([items.prompts[i] for i in batch], return_tensors="pt", padding=True)
                output = model.generate(**encoded.to(model.device), **kwargs)
                new = tokenizer.batch_decode(output[:, encoded["input_ids"].shape[1] :], skip_special_tokens=True)
                per_row = len(new) // len(batch)
                for row, i in enumerate(batch):
                    texts = [_cut(t, stops) for t in new[row * per_row : (row + 1) * per_row]]
                    result = score(items.docs[i], [texts] if items.repeats > 1 else texts[:1])
                    per_item[i] = {"doc_id": items.doc_ids[i], "texts": texts, "score": item_score(result)}
            seconds = time.perf_counter() - started
    finally:
        tokenizer.padding_side = side
    return Run("hand", seconds, counter.calls, counter.tokens, per_item)


def run_hand(model, tokenizer, items: Items, batch_size: int, full_logits: bool = False, seed: int = 0) -> Run:
    if items.choices:
        return hand_logprob(model, tokenizer, items, batch_size, full_logits)
    return hand_generate(model, tokenizer, items, batch_size, seed)


def samples_to_items(samples: list[dict], items: Items) -> tuple[list[dict], list[str], int]:
    """Per-item numbers, sent prompts and the number of requests the model got, from lm-eval's
    logged samples (0.4 and 0.5 layouts; a sampled task's request is made ``repeats`` times)."""
    per_item, prompts, requests = [], [], 0
    for sample in sorted(samples, key=lambda s: s["doc_id"]):
        arguments = sample["arguments"]
        requests += len(arguments) * items.repeats
        first = arguments[0] if isinstance(arguments, list) else next(iter(arguments.values()))
        prompts.append(first["arg_0"] if isinstance(first, dict) else first[0])
        entry = {"doc_id": sample["doc_id"], "score": item_score(sample)}
        if items.choices:
            entry["distribution"] = softmax([float(response[0][0]) for response in sample["resps"]])
        else:
            texts = sample["filtered_resps"][0]
            entry["texts"] = list(texts) if isinstance(texts, (list, tuple)) else [texts]
        per_item.append(entry)
    return per_item, prompts, requests


def lm_eval_evaluate(lm, manager, items: Items, chat: bool, max_gen_toks: int | None, seed: int) -> tuple[float, dict]:
    import lm_eval

    started = time.perf_counter()
    output = lm_eval.simple_evaluate(
        model=lm,
        tasks=[items.task],
        limit=len(items),
        task_manager=manager,
        log_samples=True,
        apply_chat_template=chat,
        gen_kwargs=f"max_gen_toks={max_gen_toks}" if max_gen_toks and not items.choices else None,
        random_seed=seed,
        torch_random_seed=seed,
    )
    return time.perf_counter() - started, output


def lm_eval_hf(lm, manager, items: Items, chat: bool, max_gen_toks: int | None, seed: int = 0) -> Run:
    """lm-eval's HF backend on ``lm`` (an ``HFLM`` over the shared model object)."""
    with ForwardCounter(lm.model) as counter:
        seconds, output = lm_eval_evaluate(lm, manager, items, chat, max_gen_toks, seed)
    per_item, prompts, requests = samples_to_items(output["samples"][items.task], items)
    return Run("lm-eval-hf", seconds, counter.calls, counter.tokens, per_item, prompts, {"requests": requests})


def inspect_task_args(items: Items, chat: bool, max_gen_toks: int | None) -> dict:
    """``-T`` arguments: the rendering of the option tasks (read or sampled, as the other paths
    render them); the token cap of greedy generation."""
    if items.choices or items.repeats > 1:  # option letters, read or sampled after the stem
        return {"rendering": "chat" if chat else "plain"}
    if max_gen_toks:
        return {"max_tokens": max_gen_toks}
    return {}


def inspect_evaluate(model, items: Items, task_args: dict) -> tuple[float, object]:
    from inspect_ai import eval as inspect_eval

    started = time.perf_counter()
    [log] = inspect_eval(
        f"cultureval/{items.task}",
        model=model,
        task_args=task_args,
        limit=len(items),
        display="none",
        log_dir=tempfile.mkdtemp(prefix="cultureval-speed-inspect-"),
    )
    if log.status != "success":
        raise RuntimeError(f"inspect eval of {items.task} ended {log.status}: {log.error}")
    return time.perf_counter() - started, log


def inspect_per_item(log, items: Items) -> list[dict]:
    per_item = []
    for sample in sorted(log.samples or [], key=lambda s: int(s.id)):
        [score] = list((sample.scores or {}).values())[:1] or [None]
        values = score.value if score is not None and isinstance(score.value, dict) else {}
        metadata = (score.metadata if score is not None else None) or {}
        entry = {"doc_id": items.doc_ids[int(sample.id)], "score": item_score(values)}
        if items.choices:
            entry["distribution"] = metadata.get("model_distribution")
            entry["letters_missing"] = metadata.get("letters_missing", 0)
        else:
            answers = sample.metadata.get("sampled_answers")
            entry["texts"] = list(answers) if answers else [sample.output.completion if sample.output else ""]
        per_item.append(entry)
    return per_item


def inspect_run(path: str, log, items: Items, seconds: float) -> Run:
    per_item = inspect_per_item(log, items)
    usage = log.stats.model_usage if log.stats else {}
    notes = {"letters_missing": sum(entry.get("letters_missing") or 0 for entry in per_item)} if items.choices else {}
    notes["input_tokens"] = sum(u.input_tokens for u in usage.values())
    return Run(path, seconds, per_item=per_item, notes=notes)


PLAIN_TEMPLATE_CONFIG = "inspect/hf_plain_text.yaml"


def inspect_hf_model(model_path: str, items: Items, chat: bool, device: str, dtype: str, batch_size: int):
    """Inspect's ``hf`` provider on ``model_path``: greedy unless the task samples; without
    ``chat``, the verbatim template of ``configs/inspect/hf_plain_text.yaml``."""
    import yaml
    from inspect_ai.model import GenerateConfig, get_model

    from cultureval.paths import configs_dir

    args = {"model_path": model_path, "device": device, "dtype": dtype, "do_sample": items.repeats > 1}
    if not chat:
        args["chat_template"] = yaml.safe_load((configs_dir() / PLAIN_TEMPLATE_CONFIG).read_text())["chat_template"]
    return get_model("hf/local", config=GenerateConfig(max_connections=batch_size), memoize=False, **args)

"""The tables ``benchmarks/speed.py`` prints: time per path beside the hand-written loop and
the compute bound, and whether the paths agree on the numbers."""

from __future__ import annotations

import math
import statistics

IN_PROCESS = ("hand", "hand-full", "lm-eval-hf", "inspect-hf")  # timed in interleaved rounds in one process
TOLERANCE = 1e-3  # per-item option probabilities and JS distances; mean JS distance


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _stderr(values):
    values = [v for v in values if v is not None]
    return statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None


def _cell(value, spec: str, width: int) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:{width}{spec}}"


def token_counts(measured: dict) -> dict:
    """Per kind: prompt tokens of its items (each once), counted with the model's tokenizer."""
    tokenizer = measured["tokenizer"]
    return {items.kind: sum(len(ids) for ids in tokenizer(items.prompts)["input_ids"]) for items in measured["kinds"]}


def generated_tokens(tokenizer, row: dict) -> int:
    texts = [text for entry in row["per_item"] for text in entry.get("texts") or []]
    return sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]) if texts else 0


def ratio_to_hand(row: dict, hand: dict | None) -> float | None:
    """Median over rounds of time / hand's time in the same round (paths of one process);
    fastest / fastest for a path timed in another process."""
    if hand is None:
        return None
    if row["path"] in IN_PROCESS and len(row["times"]) == len(hand["times"]):
        return statistics.median(a / b for a, b in zip(row["times"], hand["times"]))
    return min(row["times"]) / min(hand["times"])


HEADER = (
    f"{'kind':<10} {'path':<13} {'items':>5} {'req/item':>8} {'fwd/item':>8} {'fed tok/item':>12} {'prompt tok/item':>15} "
    f"{'gen tok/item':>12} {'load s':>7} {'eval s':>8} {'median s':>8} {'items/s':>8} {'x hand':>6} "
    f"{'bound s':>8} {'x bound':>7} {'GPU %':>5} {'mean jsd':>8}"
)


def table_line(row: dict, hand: dict | None, prompt_tokens: int, tokenizer, parameters: int, peak: float) -> str:
    n = max(len(row["per_item"]), 1)
    generated = generated_tokens(tokenizer, row)
    best = min(row["times"])
    bound = 2 * parameters * (prompt_tokens + generated) / (peak * 1e12)
    row.update(generated_tokens=generated, bound_s=bound, x_hand=ratio_to_hand(row, hand), mean_score=None)
    row["mean_score"] = _mean(entry.get("score") for entry in row["per_item"])
    calls = row.get("forward_calls")
    fed = row.get("fed_tokens")
    requests = (row.get("notes") or {}).get("requests")
    return (
        f"{row['kind']:<10} {row['path']:<13} {n:>5} {_cell(requests / n if requests else None, '.1f', 8)} "
        f"{_cell(calls / n if calls else None, '.2f', 8)} "
        f"{_cell(fed / n if fed else None, '.1f', 12)} {prompt_tokens / n:>15.1f} {generated / n:>12.1f} "
        f"{row['load_s']:>7.1f} {best:>8.2f} {statistics.median(row['times']):>8.2f} {n / best:>8.2f} "
        f"{_cell(row['x_hand'], '.2f', 6)} {bound:>8.3g} {best / bound:>7.1f} {_cell(row.get('gpu_util'), '.0f', 5)} "
        f"{_cell(row['mean_score'], '.4f', 8)}"
    )


def print_table(measured: dict, options) -> None:
    prompts = token_counts(measured)
    print(
        f"\nmodel: {measured['parameters'] / 1e6:.1f} M parameters, {options.dtype} on {options.device}, "
        f"batch {options.batch_size}, {'chat template' if options.chat else 'plain rendering'}, "
        f"{options.repeats} round(s); bound = 2 x parameters x (prompt tokens once + generated) / "
        f"{measured['peak_tflops']:.3g} TFLOP/s"
    )
    print(HEADER)
    print("-" * len(HEADER))
    for items in measured["kinds"]:
        rows = [row for row in measured["rows"] if row["kind"] == items.kind]
        hand = next((row for row in rows if row["path"] == "hand"), None)
        for row in rows:
            line = table_line(
                row, hand, prompts[items.kind], measured["tokenizer"], measured["parameters"], measured["peak_tflops"]
            )
            print(line)
        full = next((row for row in rows if row["path"] == "hand-full"), None)
        others = [row for row in rows if full is not None and not row["path"].startswith("hand")]
        if others:
            shown = ", ".join(f"{row['path']} {_cell(ratio_to_hand(row, full), '.2f', 0)}" for row in others)
            print(f"{'':<10} x hand-full (median over rounds): {shown}")
    print(
        "eval s: fastest round; x hand: median over rounds of the path's time / hand's in the same round "
        "(vLLM paths, timed in their own process: fastest / fastest); fwd/item: model forward calls per item "
        "(generation: decode steps included); req/item: requests lm-eval sent the model; fed tok/item: tokens given to those calls, padding included"
    )


def _logprob_agreement(row: dict, hand: dict) -> tuple[bool, str]:
    reference = {entry["doc_id"]: entry for entry in hand["per_item"]}
    worst_p = worst_jsd = 0.0
    compared = skipped = 0
    for entry in row["per_item"]:
        other = reference.get(entry["doc_id"])
        if other is None or entry.get("distribution") is None:
            continue
        if entry.get("letters_missing"):
            skipped += 1
            continue
        compared += 1
        worst_p = max(worst_p, max(abs(a - b) for a, b in zip(entry["distribution"], other["distribution"])))
        if entry.get("score") is not None and other.get("score") is not None:
            worst_jsd = max(worst_jsd, abs(entry["score"] - other["score"]))
    ok = compared > 0 and worst_p <= TOLERANCE and worst_jsd <= TOLERANCE
    text = f"per item max |dp| {worst_p:.1e}, max |d jsd| {worst_jsd:.1e} over {compared} items"
    if skipped:
        text += f" ({skipped} items with letters outside the top-k not compared)"
    return ok, text


def _generation_agreement(row: dict, hand: dict) -> tuple[bool, str]:
    reference = {entry["doc_id"]: entry for entry in hand["per_item"]}
    same = sum(entry.get("texts") == reference.get(entry["doc_id"], {}).get("texts") for entry in row["per_item"])
    return same == len(row["per_item"]), f"identical texts {same}/{len(row['per_item'])}"


def agreement_lines(measured: dict) -> list[str]:
    """One line per path and kind: does it give hand's numbers on the same items and prompts?"""
    lines = ["\nagreement with the hand-written loop (same items, same model):"]
    by_kind = {items.kind: items for items in measured["kinds"]}
    for row in measured["rows"]:
        hand = next(
            (r for r in measured["rows"] if r["kind"] == row["kind"] and r["path"] == "hand"),
            None,
        )
        if hand is None or row is hand:
            continue
        items = by_kind[row["kind"]]
        means = [_mean(e.get("score") for e in r["per_item"]) for r in (row, hand)]
        delta = None if None in means else abs(means[0] - means[1])
        if items.choices:
            ok, text = _logprob_agreement(row, hand)
            ok = ok and (delta is None or delta <= TOLERANCE)
        elif items.repeats > 1:
            errors = [_stderr(e.get("score") for e in r["per_item"]) for r in (row, hand)]
            noise = 3 * math.hypot(*errors) if None not in errors else None
            ok = delta is not None and noise is not None and delta <= noise
            text = f"sampled: |d mean| within 3 standard errors ({_cell(noise, '.4f', 0)})"
        else:
            ok, text = _generation_agreement(row, hand)
            ok = ok or (delta is not None and delta <= TOLERANCE)
        if row.get("prompts") is not None:
            differ = sum(a != b for a, b in zip(row["prompts"], items.prompts))
            text += f"; prompts identical to the hand loop's: {len(items) - differ}/{len(items)}"
            ok = ok and differ == 0
        missing = row.get("notes", {}).get("letters_missing")
        if missing is not None:
            text += f"; option letters outside the top-k: {missing}"
        delta_text = "n/a" if delta is None else f"{delta:.1e}"
        lines.append(
            f"  {row['kind']:<10} {row['path']:<13} {'AGREE' if ok else 'DIFFER'}  |d mean jsd| {delta_text}; {text}"
        )
        row["agrees"] = ok
    return lines

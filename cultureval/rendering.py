"""How a prompt with an answer stem is rendered, one canonical rendering per mode.

A logprob task is defined by its user text (lm-eval ``doc_to_text``) and its answer stem
(lm-eval ``gen_prefix``, e.g. ``If I had to select one of the options, my answer would be (``).

- ``plain``: no chat template; one string in the task's plain layout (for GlobalOpinionQA the
  literal Durmus et al. layout ``Human: {user}\\nAssistant: {stem}``; for CALI the stem after a
  blank line). lm-eval without
  ``--apply_chat_template``; Inspect with ``-T rendering=plain`` on a provider that renders the
  message content verbatim (see ``configs/inspect/hf_plain_text.yaml``).
- ``chat``: the user turn is the user text and the stem opens the model's turn. lm-eval with
  ``--apply_chat_template``; Inspect providers that continue a final assistant message (vLLM,
  SGLang).
- ``instruction``: for providers that cannot prefill the model's turn (OpenAI-style APIs,
  Inspect's ``hf`` provider with the model's chat template): the user text plus
  :data:`INSTRUCTION`; the answer letter is read from the first generated token.
"""

from __future__ import annotations

PLAIN = "plain"
CHAT = "chat"
INSTRUCTION = "instruction"
RENDERINGS = (PLAIN, CHAT, INSTRUCTION)
INSTRUCTION_TEXT = "Answer with the letter of one option."

# Plain layouts: how user text and stem join without a chat template.
HUMAN_ASSISTANT = "human_assistant"  # Durmus et al. (2023)
PARAGRAPH = "paragraph"  # the stem follows the user text after a blank line (CALI)
LAYOUTS = (HUMAN_ASSISTANT, PARAGRAPH)


def plain_prompt(layout: str, user_text: str, stem: str) -> str:
    """The single plain-text prompt of a task whose plain layout is ``layout``."""
    if layout == HUMAN_ASSISTANT:
        return f"Human: {user_text}\nAssistant: {stem}"
    if layout == PARAGRAPH:
        return f"{user_text}\n\n{stem}"
    raise ValueError(f"unknown plain layout {layout!r}; expected one of {LAYOUTS}")


def instruction_prompt(user_text: str) -> str:
    """User turn for providers without prefill: the question and an answer-format instruction."""
    return f"{user_text.rstrip()}\n\n{INSTRUCTION_TEXT}"


# the Inspect model config that makes Inspect's hf provider send a message's text verbatim
VERBATIM_CONFIG = "inspect/hf_plain_text.yaml"  # under `cultureval configs-dir`


def _verbatim_flags() -> str:
    return f'-T rendering=plain --model-config "$(cultureval configs-dir)/{VERBATIM_CONFIG}"'


def in_other_harness(harness: str, mode: str, stemmed: bool) -> str:
    """How the other harness gives the rendering ``mode`` a run of ``harness`` (``lm-eval`` or
    ``inspect``) got, in one sentence for the run's printed output: the harnesses' defaults
    differ (lm-eval: ``plain`` unless ``--apply_chat_template``; Inspect's ``hf/`` and API
    providers: ``instruction`` for tasks with an answer stem, the model's chat template for the
    others), and only the same rendering gives the same numbers. ``stemmed``: the task's prompt
    ends in an answer stem (``gen_prefix``)."""
    mode = (mode or "").split(" ")[0]
    if harness == "lm-eval":
        if mode == PLAIN and stemmed:
            return f"Inspect gives this rendering with {_verbatim_flags()} on hf/ (its default there is instruction)"
        if mode == PLAIN:
            return "Inspect renders this task with the model's chat template: add --apply_chat_template here for that"
        if stemmed:
            return "Inspect gives this rendering on vllm/ or sglang/ (-T rendering=chat); its hf/ provider cannot"
        return "Inspect gives this rendering (the model's chat template) by default"
    if mode == INSTRUCTION:
        return (
            f"lm-eval's default is plain (no instruction rendering there): {_verbatim_flags()} gives it here, "
            "with lm-eval's numbers"
        )
    if mode == PLAIN:
        return "lm-eval gives this rendering by default (without --apply_chat_template)"
    return "lm-eval gives this rendering with --apply_chat_template (its default is plain)"

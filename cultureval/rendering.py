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

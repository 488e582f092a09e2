"""lm-eval glue: a ``ConfigurableTask`` that records provenance in the results and renders
answer-stem prompts canonically.

Every cultureval YAML task uses ``class: !function cultureval.lm_eval_task.CulturevalTask``;
tasks with an answer stem also set ``metadata.plain_layout`` (see :mod:`cultureval.rendering`).
Everything else is the stock lm-eval task: with ``--apply_chat_template`` the user text is the user turn and ``gen_prefix``
opens the model's turn; without it, the prompt is the task's plain layout (for GlobalOpinionQA
the literal ``Human: ...\\nAssistant: <stem>`` of Durmus et al.), which lm-eval's default
concatenation cannot express.
"""

from __future__ import annotations

import json
import os

from lm_eval.api.task import ConfigurableTask

from cultureval import provenance, rendering
from cultureval.lm_eval_compat import output_type_base, resolve_field

WARNINGS_ENV = "CULTUREVAL_RUN_WARNINGS"  # set by cultureval.preflight.prepare_run
BOOTSTRAP_CAP = 100  # resamples of lm-eval 0.5's bootstrap of non-mean aggregations


class CulturevalTask(ConfigurableTask):
    def __new__(cls, config: dict | None = None):
        # lm-eval 0.5: become the subclass of this output type's task class (requests are
        # built there); lm-eval 0.4: stay a ConfigurableTask
        if cls is CulturevalTask:
            base = output_type_base((config or {}).get("output_type"))
            if base is not None:
                cls = _concrete(base)
        return super().__new__(cls)

    def __init__(self, config: dict | None = None) -> None:
        config = {key: value for key, value in (config or {}).items() if key != "class"}
        super().__init__(config=config)

    def download(self, dataset_kwargs=None, **kwargs) -> None:
        super().download(dataset_kwargs, **kwargs)
        from cultureval.families import judge_of

        data_source = provenance.read_provenance(self.dataset[provenance.TEST_SPLIT])
        metadata = dict(self.config.metadata or {})
        hook = judge_of(self.config.task)
        extra = {"judge_prompt_version": hook.prompt_version} if hook else {}
        warnings = json.loads(os.environ.get(WARNINGS_ENV) or "[]")
        if warnings:
            extra["warnings"] = warnings  # from the command's checks (cultureval.preflight)
        metadata["cultureval"] = provenance.record(
            metadata.get("version"),
            data_source,
            rendering=None,  # set by fewshot_context, once the harness says which
            **extra,
        )
        self.config.metadata = metadata

    def higher_is_better(self) -> dict:
        """The direction of each metric, as lm-eval writes it into the results; a count
        (``Metric.kind`` ``count``: ``n_ties``, ``n_unparsed``, ...) has none (``None``).
        lm-eval 0.4 keeps the table's ``None``; 0.5 turns a ``None`` in ``metric_list`` into
        ``True`` ("defaulting to True"), so the direction is set here, after lm-eval."""
        from cultureval.families import table_of
        from cultureval.metric_table import COUNT

        directions = dict(super().higher_is_better())
        table = table_of(self.config.task)
        for name in directions:
            described = table.describe(name)
            if described is not None and described.kind == COUNT:
                directions[name] = None
        return directions

    def aggregate(self, bootstrap_iters: int | None = 100000):
        """lm-eval 0.5 only (0.4 has no ``Task.aggregate``): 0.5 bootstraps the standard error
        of every aggregation that is not a mean, ``bootstrap_iters`` (100,000) times — for a
        corpus-level metric such as CALI's tuned macro-F1 that is hours. cultureval caps those
        bootstraps at :data:`BOOTSTRAP_CAP` resamples, the cap lm-eval 0.4 puts on its own
        corpus-level metrics (BLEU, chrF, TER); means keep their closed-form standard error."""
        if isinstance(bootstrap_iters, int) and bootstrap_iters > 0:
            bootstrap_iters = min(bootstrap_iters, BOOTSTRAP_CAP)
        return super().aggregate(bootstrap_iters)

    def _record_rendering(self, mode: str) -> None:
        block = (self.config.metadata or {}).get("cultureval")
        if isinstance(block, dict) and block.get("rendering") is None:
            layout = self.config.metadata.get("plain_layout")
            block["rendering"] = f"{mode} ({layout})" if mode == rendering.PLAIN and layout else mode

    def fewshot_context(
        self,
        doc: dict,
        num_fewshot: int,
        system_instruction: str | None = None,
        apply_chat_template: bool = False,
        fewshot_as_multiturn: bool = False,
        chat_template=None,
        gen_prefix: str | None = None,
    ):
        layout = (self.config.metadata or {}).get("plain_layout")
        self._record_rendering(rendering.CHAT if apply_chat_template else rendering.PLAIN)
        if apply_chat_template or num_fewshot or layout is None:
            return super().fewshot_context(
                doc,
                num_fewshot,
                system_instruction=system_instruction,
                apply_chat_template=apply_chat_template,
                fewshot_as_multiturn=fewshot_as_multiturn,
                chat_template=chat_template,
                gen_prefix=gen_prefix,
            )
        text = rendering.plain_prompt(layout, self.doc_to_text(doc), gen_prefix or "")
        preamble = "\n\n".join(
            part for part in (system_instruction, resolve_field(self, doc, self.config.description)) if part
        )
        return f"{preamble}\n\n{text}" if preamble else text


_CONCRETE: dict[type, type] = {}


def _concrete(base: type) -> type:
    """``CulturevalTask`` over lm-eval 0.5's task class ``base`` (one class per base)."""
    if base not in _CONCRETE:
        _CONCRETE[base] = type(f"Cultureval{base.__name__}", (CulturevalTask, base), {"__module__": __name__})
    return _CONCRETE[base]

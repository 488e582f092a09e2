"""lm-eval glue: a ``ConfigurableTask`` that records provenance and run identity in the results,
keys lm-eval's request cache by it, and renders answer-stem prompts canonically.

Every cultureval YAML task uses ``class: !function cultureval.lm_eval_task.CulturevalTask``;
tasks with an answer stem also set ``metadata.plain_layout`` (see :mod:`cultureval.rendering`).
Everything else is the stock lm-eval task: with ``--apply_chat_template`` the user text is the user turn and ``gen_prefix``
opens the model's turn; without it, the prompt is the task's plain layout (for GlobalOpinionQA
the literal ``Human: ...\\nAssistant: <stem>`` of Durmus et al.), which lm-eval's default
concatenation cannot express.

Run identity (:mod:`cultureval.identity`) is computed once per run in ``build_all_requests``,
after lm-eval applied ``--num_fewshot``, ``--gen_kwargs`` and ``--apply_chat_template``. lm-eval
keys its request cache (``--cache_requests true``) by task name, shots, chat template, system
instruction and tokenizer name — not by the data: a changed data folder would replay the old
questions against the new survey answers. cultureval adds the documents' and prompts'
fingerprints to that key (through the tokenizer-name part, which lm-eval uses for nothing else
there), so a change of data or prompt builds and stores new requests.
"""

from __future__ import annotations

import json
import os

from lm_eval.api.task import ConfigurableTask

from cultureval import identity, provenance, rendering
from cultureval.lm_eval_compat import output_type_base, resolve_field

WARNINGS_ENV = "CULTUREVAL_RUN_WARNINGS"  # set by cultureval.preflight.prepare_run
BOOTSTRAP_CAP = 100  # resamples of lm-eval 0.5's bootstrap of non-mean aggregations


class ShotsError(ValueError):
    """``num_fewshot`` above 0 on a task that defines no shots (one line)."""


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
            # lm-eval passes its model arguments to every task's metadata
            model=identity.model_identity({k: v for k, v in metadata.items() if isinstance(v, str)}),
            **extra,
        )
        self.config.metadata = metadata

    def build_all_requests(self, **kwargs):
        """lm-eval's ``build_all_requests`` (keyword arguments only, in 0.4 and 0.5), after
        recording the run identity; with ``cache_requests`` the cache key carries the identity
        fingerprints (see the module docstring). Raises :class:`ShotsError` for
        ``num_fewshot`` > 0 (``cultureval lm-eval`` refuses it before the model loads; the
        YAMLs set ``num_fewshot: 0``, which makes lm-eval ignore ``--num_fewshot``)."""
        fingerprint = self.record_identity(
            apply_chat_template=bool(kwargs.get("apply_chat_template")),
            system_instruction=kwargs.get("system_instruction"),
        )
        if kwargs.get("cache_requests"):
            kwargs["tokenizer_name"] = f"{kwargs.get('tokenizer_name') or ''}-cultureval-{fingerprint[:32]}"
        return super().build_all_requests(**kwargs)

    def record_identity(self, apply_chat_template: bool, system_instruction: str | None = None) -> str:
        """Compute and record (in ``metadata.cultureval``) ``docs_sha256``, ``prompt_sha256``,
        ``shots`` and ``n_docs`` over every document of the evaluated split; return one sha256
        over those and the rendering, the key of the run's requests."""
        num_fewshot = int(self.config.num_fewshot or 0)
        if num_fewshot > 0 and not defines_shots(self.config.fewshot_split, self.config.fewshot_config):
            raise ShotsError(
                f"{self.config.task}: num_fewshot={num_fewshot}, but the task defines no shots (its prompt is "
                "zero-shot by design; lm-eval would take shots from the evaluated items): drop --num_fewshot"
            )
        docs = self.eval_docs  # first: lm-eval 0.5 loads the data (download, the block) on first use
        block = (self.config.metadata or {}).get("cultureval")
        block = block if isinstance(block, dict) else {}
        shots = num_fewshot + int((block.get("data_source") or {}).get("shots") or 0)
        settings = {
            "output_type": self.config.output_type,
            "stem": self.config.gen_prefix,
            "layout": (self.config.metadata or {}).get("plain_layout"),
            "target_delimiter": self.config.target_delimiter,
            "description": self.config.description or None,
            "system_instruction": system_instruction or None,
            "instruction_text": rendering.INSTRUCTION_TEXT if self.config.gen_prefix else None,
            "generation": identity.lm_eval_generation(self.config.generation_kwargs, self.config.repeats)
            if self.config.output_type == "generate_until"
            else None,
            "shots": shots,
        }
        with_choices = self.config.doc_to_choice is not None
        docs_sha256, prompt_sha256, count = identity.document_fingerprints(
            ((doc, [self.doc_to_text(doc), self.doc_to_choice(doc) if with_choices else None]) for doc in docs),
            settings,
        )
        mode = rendering.CHAT if apply_chat_template else rendering.PLAIN
        self._record_rendering(mode)  # also when the requests come from lm-eval's cache
        block.update(docs_sha256=docs_sha256, prompt_sha256=prompt_sha256, shots=shots, n_docs=count)
        return identity.sha256_of([docs_sha256, prompt_sha256, mode, block.get("cultureval_version")])

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


def defines_shots(fewshot_split, fewshot_config) -> bool:
    """Whether an lm-eval task config names where its shots come from (a ``fewshot_split``, or
    a ``fewshot_config`` with ``samples`` or a ``split``); cultureval's tasks define none."""
    if fewshot_config is not None and not isinstance(fewshot_config, dict):
        fewshot_config = vars(fewshot_config)  # lm-eval 0.5's FewshotConfig
    fewshot_config = fewshot_config or {}
    return bool(fewshot_split or fewshot_config.get("samples") or fewshot_config.get("split"))


_CONCRETE: dict[type, type] = {}


def _concrete(base: type) -> type:
    """``CulturevalTask`` over lm-eval 0.5's task class ``base`` (one class per base)."""
    if base not in _CONCRETE:
        _CONCRETE[base] = type(f"Cultureval{base.__name__}", (CulturevalTask, base), {"__module__": __name__})
    return _CONCRETE[base]

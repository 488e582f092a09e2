"""Inspect entry point (``[project.entry-points.inspect_ai]``): importing this module registers
every family's ``@task`` functions (each family's ``inspect_tasks.py``, whose ``__all__`` names
them) as ``cultureval/<task>``, so ``inspect eval cultureval/global_opinion_jsd`` works."""

from cultureval.tasks.binary_settings.inspect_tasks import *  # noqa: F403
from cultureval.tasks.cali.inspect_tasks import *  # noqa: F403
from cultureval.tasks.culturebank.inspect_tasks import *  # noqa: F403
from cultureval.tasks.default_prompting.inspect_tasks import *  # noqa: F403
from cultureval.tasks.global_opinions.inspect_tasks import *  # noqa: F403
from cultureval.tasks.value_probing.inspect_tasks import *  # noqa: F403
from cultureval.tasks.wvs_polarity.inspect_tasks import *  # noqa: F403

"""cultureval: cultural-alignment evaluations as lm-evaluation-harness and Inspect tasks.

Public API: :func:`js_distance`, :func:`parse_distribution`; task names are listed in the README
and in ``tasks/README.md``.
"""

from cultureval.metrics import js_distance
from cultureval.provenance import cultureval_version
from cultureval.tasks.global_opinions.parser import parse_distribution

__version__ = cultureval_version()

__all__ = ["__version__", "js_distance", "parse_distribution"]

"""cultureval: cultural-alignment evaluations as lm-evaluation-harness and Inspect tasks.

Public API: :func:`js_distance`, :func:`parse_distribution`; task names are listed in the README.
"""

from cultureval.distribution_parser import parse_distribution
from cultureval.metrics import js_distance
from cultureval.provenance import cultureval_version

__version__ = cultureval_version()

__all__ = ["__version__", "js_distance", "parse_distribution"]

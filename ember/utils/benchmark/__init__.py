"""``torch.utils.benchmark``: time snippets of code (``Timer``), summarise the runs
(``Measurement``) and tabulate many of them (``Compare``).

Example::

    >>> from torch.utils.benchmark import Timer
    >>> t = Timer("x @ x", setup="x = torch.randn(64, 64)", label="matmul")
    >>> m = t.blocked_autorange(min_run_time=0.1)
    >>> m.median  # seconds per run

Callgrind instruction counts (``collect_callgrind``), C++ statements and the fuzzers are not
provided (see docs/differences.md).
"""
from .common import (Measurement, TaskSpec, ordered_unique, select_unit, set_torch_threads,
                     trim_sigfig, unit_to_english)
from .compare import Colorize, Compare
from .timer import Language, Timer, timer

__all__ = ["Timer", "timer", "Language", "Measurement", "TaskSpec", "Compare", "Colorize",
           "select_unit", "unit_to_english", "trim_sigfig", "ordered_unique",
           "set_torch_threads"]

"""The exit-code rule every ``cultureval`` command follows, in one place.

- :class:`InputError`: the input is missing, unreadable or not what the command needs. The
  command stops before any expensive work and :func:`cultureval.cli.main` prints one line,
  ``cultureval <command>: <message>`` (the message names the file, and the line where there is
  one), on stderr and exits **2**.
- :class:`NothingProduced`: the command ran on readable input and produced nothing (no judgement
  succeeded, no answer was kept, no pair was found in both cultures). One line on stderr,
  exit **1**.
- Otherwise the command produced something: exit **0**.

Errors of other modules that mean bad input (a malformed data file, a rejected run request, a
run config that cannot be resolved) subclass :class:`InputError`, so one mapping serves them all.
This module imports nothing, so every module may raise these.
"""

from __future__ import annotations

INPUT_ERROR_EXIT = 2
NOTHING_PRODUCED_EXIT = 1


class InputError(ValueError):
    """Bad input; the message names it (file, and line where there is one). Exit 2."""


class NothingProduced(RuntimeError):
    """The command ran on readable input and produced nothing; the message says why. Exit 1."""


def one_line(message: object) -> str:
    """``message`` on one line (a message quoting a file's content may hold newlines)."""
    return " ".join(str(message).split("\n")).strip()

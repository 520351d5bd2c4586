"""The exit codes of every service and command, one meaning each (sysexits(3) where one fits).

A supervisor or a script tells "fix the settings" from "wait for the broker" by the code alone, so
a code means the same thing whichever process returns it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "EXIT_CONFIG", "EXIT_FAILED", "EXIT_HALTED", "EXIT_NO_INPUT", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_USAGE",
]

EXIT_OK: Final = 0
# A command ran and its answer is "no": problems found, a request refused, something needs a person.
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2  # a bad option or an unreadable input file, as argparse itself exits
EXIT_NO_INPUT: Final = 66  # EX_NOINPUT: the input file named does not exist or cannot be read
# EX_UNAVAILABLE: a command could not reach the broker or the database (a service exits EXIT_HALTED,
# so that its supervisor restarts it).
EXIT_UNAVAILABLE: Final = 69
EXIT_HALTED: Final = 75  # EX_TEMPFAIL: a consumer halted itself; restart after the cause is fixed
EXIT_CONFIG: Final = 78  # EX_CONFIG: the settings are wrong; restarting will not help

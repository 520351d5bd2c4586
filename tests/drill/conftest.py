"""The fault drill runs when asked for (``HOTLINE_DRILL=short`` or ``long``), not with every test run.

It starts the whole system on a three-node cluster and takes six to ten minutes. In the last full
runs before this was decided it found real defects twice (fixed), and once failed for a reason not
yet found; until it passes run after run, it is run by hand and before releases rather than gating
every change.
"""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("HOTLINE_DRILL") in ("short", "long") else ["test_*.py"]

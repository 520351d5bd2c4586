"""``python -m triage``."""

import sys

from triage.main import main

sys.exit(main())

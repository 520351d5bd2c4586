"""``python -m services.reporting``."""

import sys

from services.reporting.main import main

sys.exit(main())

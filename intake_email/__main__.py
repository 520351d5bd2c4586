"""``python -m intake_email``."""

import sys

from intake_email.main import main

sys.exit(main())

"""``python -m intake_webform``."""

import sys

from intake_webform.main import main

sys.exit(main())

"""``python -m intake_phone``: the phone intake's HTTP service."""

import sys

from intake_phone.main import main

sys.exit(main())

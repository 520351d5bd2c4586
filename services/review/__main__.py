"""``python -m services.review``."""

import sys

from services.review.main import main

sys.exit(main())

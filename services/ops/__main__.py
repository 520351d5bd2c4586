"""``python -m services.ops``."""

import sys

from services.ops.main import main

sys.exit(main())

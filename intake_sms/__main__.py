"""``python -m intake_sms``: the SMS intake's service (Twilio webhooks and supervisors' replies)."""

import sys

from intake_sms.main import main

sys.exit(main())

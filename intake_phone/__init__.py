"""Phone intake: call records and call specialists' reports to signals (built in the phone intake issue)."""

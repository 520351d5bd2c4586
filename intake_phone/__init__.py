"""Phone intake: call records and call specialists' reports to signals."""

"""Email intake: the hotline mailbox to signals (built in the email intake issue)."""

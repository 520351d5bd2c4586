"""Email intake: the hotline mailbox to signals."""

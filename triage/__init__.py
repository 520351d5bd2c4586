"""Triage stream processor (faust-streaming): flags, urgency and routes for every signal."""

"""Web tip intake: the public tip form and JSON API (``python -m intake_webform``)."""

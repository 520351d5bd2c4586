"""Supervisor review: records triaged signals as cases (``python -m services.review``)."""

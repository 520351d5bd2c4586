"""Downstream services of the hotline (review, reporting, ops) and the shared runtime they run on."""

"""The system benchmark: every service as its own process, load on every channel at once."""

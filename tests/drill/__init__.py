"""The reliability drill: the whole system as processes on a secured three-node cluster and
PostgreSQL, load through every channel, and faults paced by observed progress
(``tests/e2e/test_drill.py``)."""

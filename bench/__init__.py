"""Benchmarks: each prints its figures, as ratios against the Kafka baseline measured in the same run."""

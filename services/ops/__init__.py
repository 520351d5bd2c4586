"""The ops service (lag, SLA, dead letters, heartbeats) and ``hotline-ops`` (status, tail, stats)."""

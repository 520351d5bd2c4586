"""Operations: lag, SLA, dead letters and statistics (built in the operations issue)."""

"""Who may read whose personal data, and the log of those reads."""

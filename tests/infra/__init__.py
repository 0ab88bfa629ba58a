"""Infrastructure specs (offline)."""

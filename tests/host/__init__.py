"""Local Functions host specs (against Azurite)."""

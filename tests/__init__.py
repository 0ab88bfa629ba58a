"""Tests: unit (pure + fakes), integration (Azurite + simulators), e2e (local host)."""

"""Unit tests: pure code and fakes, no network, no storage."""

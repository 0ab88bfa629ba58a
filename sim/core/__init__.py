"""Shared simulator plumbing: TLS, HTTP routing, faults, counters."""

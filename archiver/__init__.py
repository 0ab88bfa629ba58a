"""Zoom Meetings archiver for Microsoft 365."""

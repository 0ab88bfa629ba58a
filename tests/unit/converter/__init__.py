"""Converter specs."""

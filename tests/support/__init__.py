"""Test support: starts Azurite and the simulators for fixtures."""

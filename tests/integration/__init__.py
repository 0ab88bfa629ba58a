"""Integration tests: real Azurite and/or the simulators, fakes only for what is named."""

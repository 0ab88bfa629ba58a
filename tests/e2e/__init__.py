"""End to end: the local host drives function_app against Azurite and the simulators."""

"""Admin operations: the command line, status and the run log, checks, .eml export."""

"""The crash-point harness and the fault matrix (`make reliability`; a sample in `make test`)."""

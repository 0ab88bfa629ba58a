"""The simulators' own specs: documented limits and failure modes over real HTTPS."""

"""Adapters: the Zoom and Graph clients, Azure Storage (blobs, tables, queues), the ledger, the
run log, the directory cache, transfers and telemetry. They never import the pipeline steps."""

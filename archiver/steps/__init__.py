"""Pipeline steps: discovery, intake (webhook), staging, import and replay. Each orchestrates the
core and the adapters for one trigger; none imports the admin operations."""

"""The pure core: the meeting model, the converter and its parsers, planning, mapping, keys,
privacy rules and the JSON contracts between steps. No I/O, no service clients, no settings."""

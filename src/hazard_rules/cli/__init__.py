"""The `hazard-rules` command line."""

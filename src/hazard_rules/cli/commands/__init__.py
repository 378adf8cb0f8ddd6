"""One module per command; cli/main.py assembles them into groups."""

"""One module per revision, oldest first; each reproduces a step of the schema as it was made."""

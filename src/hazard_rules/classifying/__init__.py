"""Stage 5: the compiled rule set and the verdicts it gives."""

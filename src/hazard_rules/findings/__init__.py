"""Findings in: the record model, fact coercion, and streaming readers for every format."""

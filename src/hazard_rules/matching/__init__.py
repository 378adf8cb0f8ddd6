"""Offline Chinese text matching of finding descriptions to clauses (`suggest`, the safety net)."""

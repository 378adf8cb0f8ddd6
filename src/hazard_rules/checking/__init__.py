"""Stage 3: resolve names, types and units in parsed conditions; report all errors of a pack."""

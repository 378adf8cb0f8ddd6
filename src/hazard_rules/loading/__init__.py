"""Stage 1: read rule-pack YAML strictly, keep positions, validate into models."""

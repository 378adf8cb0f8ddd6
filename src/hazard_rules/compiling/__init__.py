"""Stage 4: turn checked IR into fast Python (generated source) and three-valued closures."""

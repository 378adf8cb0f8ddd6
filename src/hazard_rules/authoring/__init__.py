"""Tools for rule authors: running a pack's own tests, measuring their coverage, linting the rules."""

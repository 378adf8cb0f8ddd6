"""Tools for rule authors: running a pack's own tests and measuring their coverage."""

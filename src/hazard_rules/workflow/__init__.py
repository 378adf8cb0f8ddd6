"""Supervision workflow: the state machine, settings, routing and the hazard ledger."""

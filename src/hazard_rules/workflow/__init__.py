"""Supervision workflow, the hazard ledger: domain (the state machine and what its steps
do), policy (settings, calendar, routing, deadlines), store (the database), service (the
`Ledger` that clients call) and stats (counting the ledger as of a moment)."""

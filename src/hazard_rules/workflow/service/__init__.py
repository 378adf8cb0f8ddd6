"""The ledger as a service: `Ledger` composes domain, policy and store into the operations
(register, step, check_actor, overdue, tick, find/get/hazards/history, verify) that the CLI
and any other client call; each is one transaction."""

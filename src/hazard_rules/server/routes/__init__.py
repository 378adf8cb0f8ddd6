"""One router per area. Handlers parse, authorise (auth.py), call the service layer and
serialise: tests/server/test_handlers.py checks they import nothing else of the ledger."""

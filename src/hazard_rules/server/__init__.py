"""The HTTP service over the ledger's service layer (`hazard-rules serve`, the `server` extra).

`create_app(settings)` builds the ASGI app; routes/ holds one module per area, each handler
only parsing, authorising (through `auth`), calling the service layer and serialising.
docs/server.md tells how to run it.
"""

"""`hazard-rules serve`: the HTTP API over the ledger (the `server` extra)."""

from __future__ import annotations

from pathlib import Path

import click

from ...errors import UsageError
from ..options import db_option, rules_option


@click.command()
@db_option
@rules_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--evidence-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("evidence"),
              show_default=True, help="Where the console stores evidence uploads (named by their SHA-256).")
@click.option("--secure-cookies", is_flag=True, help="Mark the session cookie Secure (behind HTTPS).")
@click.option("--proxy", "forwarded", default=None, metavar="IPS",
              help="Trust X-Forwarded-For/-Proto from these proxy addresses (e.g. 127.0.0.1).")
@click.option("--public-intake", "public_intake", default=None, metavar="USERNAME",
              help="Take public 举报 at /report, submitted as this DEPT account (default: the form is closed).")
def serve(db_url: str | None, rules_dir: Path | None, host: str, port: int, evidence_dir: Path, secure_cookies: bool,
          forwarded: str | None, public_intake: str | None) -> None:
    """Serve the web console (/console) and the HTTP API (its schema at /openapi.json); docs/server.md."""
    try:
        import uvicorn

        from ...server.app import create_app
        from ...server.settings import ServerSettings
    except ImportError as exc:
        raise UsageError(f"the server needs the `server` extra ({exc.name} is not installed)",
                         hint="pip install 'hazard-rules[server]'") from None
    from ...workflow.store.repository import DEFAULT_URL

    app = create_app(ServerSettings(db_url=db_url or DEFAULT_URL, rules_dir=rules_dir, secure_cookies=secure_cookies,
                                    evidence_dir=evidence_dir, public_intake=public_intake))
    click.echo(f"hazard-rules serving on http://{host}:{port} (console: /console/login, "
               "API schema: /openapi.json)", err=True)
    uvicorn.run(app, host=host, port=port, proxy_headers=forwarded is not None,
                forwarded_allow_ips=forwarded, log_level="info")

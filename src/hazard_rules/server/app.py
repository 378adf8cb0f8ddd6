"""The app factory: one ledger (its engine pooled across requests), its accounts, and the
ruleset, loaded once; the routers; errors as problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..classifying.load import load_rulesets
from ..workflow.service.accounts import Accounts
from ..workflow.service.industries import industry_names
from ..workflow.service.ledger import Ledger
from ..workflow.service.public import PublicIntake
from . import problems
from .routes import auth, classify, console, hazards, intake_console, operations, public, reports, rules, stats_console
from .settings import ServerSettings

DESCRIPTION = """\
Judge findings against China's major-accident-hazard standards and keep the hazard ledger
(隐患台账). Sign in (`POST /api/v1/auth/login`, a session cookie; unsafe requests then send
`X-CSRF-Token`) or send `Authorization: Bearer TOKEN`. The actor of every ledger event is the
signed-in account. Errors are `application/problem+json` with the error codes of the command
line (`code`, docs/errors.md). The public 举报 endpoint (`POST /api/v1/public/reports`) needs
no account: its reports are submitted as the configured intake account."""


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    ledger = Ledger.open(settings.db_url)
    ruleset = load_rulesets(settings.rules_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        ledger.close()

    app = FastAPI(title="hazard-rules", version=_version(), description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.ledger = ledger
    app.state.accounts = Accounts.of(ledger)
    app.state.ruleset = ruleset
    app.state.industries = industry_names(ruleset)   # 中文名（code） on the console's pages
    app.state.public = PublicIntake(ledger, app.state.accounts, settings.public_intake)
    problems.install(app)
    for module in (auth, classify, rules, hazards, reports, operations, public, console, intake_console,
                   stats_console):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app


def _version() -> str:
    try:
        return version("hazard-rules")
    except PackageNotFoundError:
        return "0"

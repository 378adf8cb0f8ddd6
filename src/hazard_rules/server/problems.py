"""Errors as problem+json (RFC 9457), with the CLI's error codes (docs/errors.md)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import CODES, Diagnostics, HazardRulesError, UnknownNameError

MEDIA_TYPE = "application/problem+json"

# HTTP status per code; a code not here is 400 (bad input), E1xx-E3xx (the service's own
# rule packs are broken) 500.
STATUS = {"E401": 422, "E402": 422, "E601": 400, "E602": 403, "E603": 409, "E604": 404, "E622": 403,
          "E632": 401, "E633": 403, "E634": 429, "E635": 422, "E636": 503}


def status_of(code: str) -> int:
    if code in STATUS:
        return STATUS[code]
    return 500 if code[:2] in ("E1", "E2", "E3") else 400


def problem(status: int, code: str, detail: str, hint: str | None = None, **extra: Any) -> JSONResponse:
    body = {"type": f"https://hazard-rules.invalid/errors#{code}", "title": CODES[code].summary, "status": status,
            "detail": detail, "code": code, "hint": hint, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def from_error(exc: HazardRulesError) -> JSONResponse:
    errors = exc.errors if isinstance(exc, Diagnostics) else [exc]
    status = 404 if isinstance(exc, UnknownNameError) else status_of(exc.code)
    return problem(status, exc.code, exc.message, exc.hint,
                   diagnostics=[e.as_dict() for e in errors])


def install(app: FastAPI) -> None:
    async def hazard_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HazardRulesError)
        return from_error(exc)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
                  for e in exc.errors()]
        first = errors[0] if errors else {"where": "", "message": "invalid request"}
        return problem(422, "E501", f"{first['where']}: {first['message']}", errors=errors)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = "E632" if exc.status_code == 401 else "E633" if exc.status_code == 403 else "E501"
        return problem(exc.status_code, code, str(exc.detail))

    app.add_exception_handler(HazardRulesError, hazard_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)

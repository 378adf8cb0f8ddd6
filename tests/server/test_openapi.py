"""The published OpenAPI schema (/openapi.json) equals the committed golden copy: an API
change is a reviewed change (UPDATE_GOLDENS=1 rewrites tests/golden/server/openapi.json)."""

from __future__ import annotations

import json

from ..conftest import ROOT, assert_golden
from .conftest import make_server

GOLDEN = ROOT / "tests" / "golden" / "server" / "openapi.json"


def test_the_openapi_schema_is_the_golden_one(tmp_path) -> None:
    client, _ = make_server(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    schema["info"]["version"] = "VERSION"  # the package version is not the API's shape
    assert_golden(GOLDEN, json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    paths = set(schema["paths"])
    assert {"/api/v1/hazards", "/api/v1/hazards/{hazard_id}/steps", "/api/v1/hazards/{hazard_id}/history",
            "/api/v1/classify", "/api/v1/classify/batch", "/api/v1/suggest", "/api/v1/rules",
            "/api/v1/rules/{rule_id}", "/api/v1/overdue", "/api/v1/stats", "/api/v1/stats/series", "/api/v1/export",
            "/api/v1/verify", "/api/v1/auth/login", "/api/v1/public/reports", "/api/v1/ledger/tick",
            "/api/v1/ledger/graph", "/api/v1/stats/submissions"} <= paths


def test_every_error_is_problem_json_with_a_code(tmp_path) -> None:
    client, tokens = make_server(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    bearer = {"Authorization": f"Bearer {tokens['dept_wf']}"}
    with client:
        for method, path, status, code in [("GET", "/api/v1/hazards/NOPE", 404, "E604"),
                                           ("GET", "/api/v1/rules/GM2023-11-33", 404, "E501"),
                                           ("GET", "/api/v1/hazards?limit=0", 422, "E501"),
                                           ("GET", "/api/v1/export?what=nonsense&format=csv", 400, "E501"),
                                           ("GET", "/api/v1/stats?by=colour", 400, "E621")]:
            response = client.request(method, path, headers=bearer)
            assert response.status_code == status, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            body = response.json()
            assert body["code"] == code and body["status"] == status and body["detail"] and body["title"]


def test_no_page_needs_a_cdn(tmp_path) -> None:
    """Swagger UI loads its scripts from a CDN, which offline servers cannot reach: not served."""
    client, _ = make_server(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 200

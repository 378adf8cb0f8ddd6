"""`hazard-rules users add/list/disable/token` and `serve` without the extra, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..conftest import ROOT, run_cli


def test_users_add_list_token_disable(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    os.environ["HAZARD_RULES_PASSWORD"] = "a long enough password"
    try:
        added = run_cli("users", "add", "li", "--db", db, "--name", "李科长", "--role", "DEPT", "--org",
                        "潍坊市应急管理局", "--org-code", "3707", "--department", "应急管理")
        assert added.returncode == 0, added.stderr
        refused = run_cli("users", "add", "wang", "--db", db, "--name", "王", "--role", "ENT_SAFETY", "--org", "某厂")
        assert refused.returncode == 2 and "error[E631]" in refused.stderr and "enterprise id" in refused.stderr
        taken = run_cli("users", "add", "li", "--db", db, "--name", "李", "--role", "INSPECTOR", "--org", "x")
        assert taken.returncode == 2 and "taken" in taken.stderr
    finally:
        del os.environ["HAZARD_RULES_PASSWORD"]
    token = run_cli("users", "token", "li", "--db", db)
    assert token.returncode == 0 and len(token.stdout.strip()) >= 40
    listed = json.loads(run_cli("users", "list", "--db", db, "--format", "json").stdout)
    assert [(u["username"], u["role"], u["org_code"], u["department"], u["disabled"]) for u in listed] == \
        [("li", "DEPT", "3707", "应急管理", False)]
    assert run_cli("users", "disable", "li", "--db", db).returncode == 0
    assert "disabled" in run_cli("users", "list", "--db", db).stdout
    missing = run_cli("users", "disable", "nobody", "--db", db)
    assert missing.returncode == 2 and "error[E631]" in missing.stderr


def test_serve_without_the_server_extra_says_how_to_install_it() -> None:
    # A Python where fastapi cannot be imported, as after `pip install hazard-rules`.
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "sys.argv = ['hazard-rules', 'serve']\n"
            "from hazard_rules.cli.main import main; main()")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "error[E501]" in done.stderr and "hazard-rules[server]" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_answers_on_the_loopback(tmp_path) -> None:
    """`hazard-rules serve` as a user starts it: a real uvicorn on a free loopback port."""
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    server = subprocess.Popen([sys.executable, "-m", "hazard_rules", "serve", "--db",
                               f"sqlite:///{tmp_path / 'ledger.sqlite'}", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):  # up to a minute on a loaded machine: the ruleset loads first
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
        assert response.status_code == 200 and response.json()["info"]["title"] == "hazard-rules"
        refused = httpx.get(f"http://127.0.0.1:{port}/api/v1/hazards", timeout=5)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 404   # no Swagger UI
    finally:
        server.terminate()
        server.wait(timeout=30)
    said = server.stdout.read() if server.stdout else ""
    # What the startup line points to is served: the console and the schema, not /docs.
    started = next(line for line in said.splitlines() if "serving on" in line)
    assert started == f"hazard-rules serving on http://127.0.0.1:{port} (console: /console/login, " \
        "API schema: /openapi.json)", said

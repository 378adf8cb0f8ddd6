"""The console in a real headless browser: Debian's Chromium driven through its chromedriver
by Selenium, against a real uvicorn server on loopback (a thread of this process, its socket
bound before it starts) over a temporary SQLite ledger, with the accounts of tests/server.

Nothing is downloaded at run time: the driver's path is given to Selenium's Service, so
Selenium Manager never runs (SE_OFFLINE is set as well), and the browser is /usr/bin/chromium.
A missing browser, driver or package skips these tests with the reason on a developer's
machine; in CI (.ci/run sets HAZARD_RULES_REQUIRE_BROWSER=1) it fails them.

HAZARD_RULES_SCREENSHOTS=DIR makes the walk save PNG screenshots there (docs/screenshots)."""

from __future__ import annotations

import base64
import importlib.util
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT

CHROMIUM = Path(os.environ.get("HAZARD_RULES_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("HAZARD_RULES_CHROMEDRIVER", "/usr/bin/chromedriver"))
REQUIRED = os.environ.get("HAZARD_RULES_REQUIRE_BROWSER") == "1"
WAIT = 20           # seconds a page may take to come (a guard against hanging, not a speed check)
DESKTOP = (1280, 900)
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


def _missing() -> str | None:
    for module in ("selenium", "fastapi", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[test,server]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found (Debian: apt-get install chromium chromium-driver)"
    return None


def _require_browser() -> None:
    reason = _missing()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"HAZARD_RULES_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)  # skip allowed: no browser on a dev machine; .ci/run requires one


@dataclass
class LiveServer:
    url: str
    app: Any
    evidence_dir: Path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """`hazard-rules serve` as it runs: uvicorn over create_app, on a free loopback port."""
    with serve(tmp_path_factory.mktemp("browser")) as server:
        yield server


@contextmanager
def serve(folder: Path) -> Iterator[LiveServer]:
    """A live server over a new ledger in `folder`, with the accounts of tests/server."""
    _require_browser()
    import uvicorn

    from hazard_rules.server.app import create_app
    from hazard_rules.server.settings import ServerSettings

    from ..server.conftest import add_accounts

    settings = ServerSettings(db_url=f"sqlite:///{folder / 'ledger.sqlite'}", evidence_dir=folder / "evidence")
    app = create_app(settings)
    add_accounts(app.state.accounts)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the server did not start (see the log above)", pytrace=False)
        time.sleep(0.05)
    host, port = sock.getsockname()
    yield LiveServer(f"http://{host}:{port}", app, settings.evidence_dir)
    server.should_exit = True
    thread.join(timeout=WAIT)
    sock.close()


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    _require_browser()
    os.environ["SE_OFFLINE"] = "true"   # should Selenium Manager ever be asked, it must not download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=zh-CN", "--hide-scrollbars"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(WAIT)
    yield browser
    browser.quit()


class Console:
    """The console as a person uses it: pages opened by links and forms filled and submitted
    by clicks; what a page shows read back from it."""

    def __init__(self, driver: Any, server: LiveServer, shots: Path | None) -> None:
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.server, self.shots, self.by = driver, server, shots, By
        # While a page is replaced the driver may answer with an error about the old one: asked again.
        self.navigation = WebDriverWait(driver, WAIT, ignored_exceptions=(WebDriverException,))

    # ------------------------------------------------------------------ moving about
    def open(self, path: str) -> None:
        self.driver.get(self.server.url + path)

    def find(self, css: str, within: Any = None) -> Any:
        return (within or self.driver).find_element(self.by.CSS_SELECTOR, css)

    def find_all(self, css: str, within: Any = None) -> list[Any]:
        return (within or self.driver).find_elements(self.by.CSS_SELECTOR, css)

    def submit(self, button: Any) -> None:
        """Click a button or link that loads a page, and wait until the new page has loaded
        (the old page's window carries a mark the new one lacks)."""
        self.driver.execute_script("window.consoleWalkOldPage = true")
        button.click()
        self.navigation.until(lambda d: d.execute_script(
            "return !window.consoleWalkOldPage && document.readyState === 'complete'"))

    def follow(self, text: str) -> None:
        """Click the link with this text."""
        self.submit(self.driver.find_element(self.by.LINK_TEXT, text))

    def sign_in(self, username: str, *, shot: str | None = None) -> None:
        from ..server.conftest import PASSWORD

        self.driver.delete_all_cookies()
        self.open("/console/login")
        self.find("input[name=username]").send_keys(username)
        self.find("input[name=password]").send_keys(PASSWORD)
        self.screenshot(shot)
        self.submit(self.find("form.login button[type=submit]"))
        assert self.driver.current_url.endswith("/console/hazards"), self.text()

    def sign_out(self) -> None:
        self.submit(self.find("header form button[type=submit]"))
        assert self.driver.current_url.endswith("/console/login")

    def text(self, css: str = "main") -> str:
        return str(self.find(css).text)

    # ------------------------------------------------------------------ a hazard's page
    def offered(self) -> list[str]:
        """The actions of the step forms on the page (their hidden `action` inputs)."""
        return [self.find("input[name=action]", d).get_attribute("value") for d in self.find_all("details.step")]

    def take_step(self, action: str, fields: dict[str, str], files: dict[str, Path] | None = None) -> str:
        """Open the step's form (found by its hidden `action` input), fill in each field `f.NAME`
        (a choice picked by its value, a date set as YYYY-MM-DD, the rest typed) and choose each
        file `e.NAME`, submit. Returns the step's label as the form showed it."""
        from selenium.webdriver.support.ui import Select

        forms = [d for d in self.find_all("details.step")
                 if self.find("input[name=action]", d).get_attribute("value") == action]
        assert forms, f"no form for {action} on the page; offered: {self.offered()}"
        details = forms[0]
        label = self.find("summary b", details).text
        self.find("summary", details).click()
        for name, value in fields.items():
            box = self.find(f"[name='f.{name}']", details)
            if box.tag_name == "select":
                Select(box).select_by_value(value)
            elif box.get_attribute("type") == "date":   # Chromium's date widget takes keys in the locale's order
                self.driver.execute_script("arguments[0].value = arguments[1]", box, value)
                assert box.get_attribute("value") == value, (name, value)
            else:
                box.send_keys(value)
        for name, path in (files or {}).items():
            self.find(f"input[type=file][name='e.{name}']", details).send_keys(str(path))
        self.submit(self.find("button[type=submit]", details))
        return label

    def refusal(self) -> str | None:
        shown = self.find_all("main p.error[role=alert]")
        return shown[0].text if shown else None

    def heading(self) -> str:
        return self.text("main h1")

    def timeline(self) -> list[dict[str, Any]]:
        """The record (一键追溯) as shown: each event's action (its `data-action`) and label,
        the line naming its actor, the clauses that decided the verdict, the values it recorded
        and the evidence and attachment lines."""
        events = []
        for item in self.find_all("ol.timeline > li"):
            metas = [m.text for m in self.find_all(".meta", item)]
            events.append({"action": item.get_attribute("data-action"), "label": self.find("b", item).text,
                           "actor": metas[0], "clauses": [c.text for c in self.find_all(".clause", item)],
                           "recorded": {dt.text: dd.text for dt, dd in zip(self.find_all("dl.recorded dt", item),
                                                                          self.find_all("dl.recorded dd", item))},
                           "evidence": [m for m in metas[1:] if m.startswith(("证据", "附件"))]})
        return events

    # ------------------------------------------------------------------ screenshots and phones
    def screenshot(self, name: str | None, *, full: bool = False) -> None:
        """Save NAME.png in HAZARD_RULES_SCREENSHOTS (nothing without it); `full`: the whole page."""
        if self.shots is None or name is None:
            return
        self.shots.mkdir(parents=True, exist_ok=True)
        if not full:
            self.driver.save_screenshot(str(self.shots / f"{name}.png"))
            return
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        (self.shots / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))

    def as_phone(self) -> None:
        """A phone's screen (390×844 CSS pixels, touch, the page's viewport meta honoured)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)

    def as_desktop(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def overflows_sideways(self) -> bool:
        """Is the page wider than the screen (a sideways scroll for the whole page)?"""
        return bool(self.driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"))


@pytest.fixture(scope="session")
def console(driver, live_server) -> Console:
    shots = os.environ.get("HAZARD_RULES_SCREENSHOTS")
    return Console(driver, live_server, (ROOT / shots) if shots else None)

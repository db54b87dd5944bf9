"""Real-browser journeys: the app served by `streamlit run`, driven in headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.console_process import ROOT, StreamlitApp, running
from tests.required_tools import missing_tool

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return CHROMIUM
    missing_tool(
        f"Chromium not found at {CHROMIUM}",
        "install Debian's 'chromium' package (make test does it when it can) or set CHROMIUM_PATH.",
    )


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitApp]:
    """One app for the journeys that need no fresh process (each xdist worker has its own): a
    journey counts its own sends, never the app's."""
    with running(StreamlitApp(tmp_path_factory.mktemp("app"))) as app:
        yield app


@pytest.fixture(scope="session")
def app_url(shared_app: StreamlitApp) -> str:
    return shared_app.url


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[StreamlitApp]:
    """An app process of the test's own: nothing visited yet, its journal in `tmp_path`."""
    with running(StreamlitApp(tmp_path)) as app:
        yield app


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@contextmanager
def person_page(browser: object, request: pytest.FixtureRequest, who: str = "") -> Iterator[object]:
    """A page in a browser context of its own (one person's cookies); its screenshot in
    test-artifacts when the test failed."""
    viewport = {"width": 1400, "height": 1000}
    context = browser.new_context(viewport=viewport, locale="en-US")  # type: ignore[attr-defined]
    context.add_init_script(RUN_COUNTER)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            out = ROOT / "test-artifacts"
            out.mkdir(exist_ok=True)
            name = f"{request.node.name}-{who}" if who else request.node.name
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    with person_page(browser, request) as page:
        yield page


@pytest.fixture
def second_page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """Another person's browser: cookies of its own."""
    with person_page(browser, request, "second") as page:
        yield page


@pytest.fixture
def third_page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A third person's browser."""
    with person_page(browser, request, "third") as page:
        yield page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def wait_idle(page: object, timeout: float = 30_000) -> None:
    """Waits until Streamlit has finished running the script after the last action."""
    page.wait_for_selector(IDLE, timeout=timeout)  # type: ignore[attr-defined]


# A chart is drawn after the run that sent it has ended, and Plotly's script (several MB) loads
# the first time a browser shows one: on a busy machine that outlasts expect's 5 s.
CHART_DRAWN_MS = 30_000


def drawn_chart(page: object, title: str) -> object:
    """The Plotly chart whose title holds `title`, once Plotly has drawn it."""
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text=title)  # type: ignore[attr-defined]
    chart.locator(".main-svg").first.wait_for(timeout=CHART_DRAWN_MS)
    return chart


RUNNING = "[data-testid='stApp'][data-test-script-state='running']"

# Installed in every journey's page (person_page): counts the script runs the page has seen
# start, and notes the count at each key, click or typed text, so that wait_rerun knows whether
# the run an action started has begun, however quickly it ended.
RUN_COUNTER = """
(() => {
  window.__scriptRuns = 0;
  window.__runsAtInput = 0;
  const noteInput = () => { window.__runsAtInput = window.__scriptRuns; };
  for (const kind of ["keydown", "pointerdown", "input"]) {
    addEventListener(kind, noteInput, true);
  }
  new MutationObserver((records) => {
    for (const r of records) {
      const now = r.target.getAttribute("data-test-script-state");
      if (now === "running" && r.oldValue !== "running") { window.__scriptRuns += 1; }
    }
  }).observe(document, {
    subtree: true, attributes: true, attributeOldValue: true,
    attributeFilter: ["data-test-script-state"],
  });
})();
"""
_RAN_SINCE_INPUT = "() => window.__scriptRuns > window.__runsAtInput"


def wait_rerun(page: object, timeout: float = 30_000) -> None:
    """Waits for the rerun an action starts, then for it to end: on a busy machine the rerun
    may not have begun when `wait_idle` looks, and the next action would overtake it. In a page
    with RUN_COUNTER, a run begun since the last key or click is known at once; elsewhere a
    rerun that began and ended between two looks is waited for 2 s."""
    counted = page.evaluate("() => window.__scriptRuns !== undefined")  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        if counted:
            page.wait_for_function(_RAN_SINCE_INPUT, timeout=2_000, polling=20)  # type: ignore[attr-defined]
        else:
            page.wait_for_selector(RUNNING, timeout=2_000)  # type: ignore[attr-defined]
    wait_idle(page, timeout)


def compose(page: object, app_url: str, contacts: str, program: str, message: str) -> None:
    """Opens Compose, pastes contacts, sets the program and types the message (no blur)."""
    page.goto(app_url)  # type: ignore[attr-defined]
    wait_idle(page)
    paste = page.get_by_role("textbox", name="Phone numbers, one a line")  # type: ignore[attr-defined]
    paste.fill(contacts)
    paste.press("Control+Enter")
    wait_rerun(page)
    if program:
        field = page.get_by_role("textbox", name="SMS program id")  # type: ignore[attr-defined]
        field.fill(program)
        field.press("Enter")
        wait_rerun(page)
    editor = page.locator("textarea.input")  # type: ignore[attr-defined]
    editor.click()
    editor.press_sequentially(message, delay=5)


# -- sign-in: a real OIDC provider on loopback (oidc-provider-mock) and the people it knows -----

PEOPLE = {
    "sam@example.com": "Sam Sender",
    "carol@example.com": "Carol Approver",
    "vera@example.com": "Vera Viewer",
}
# `[auth]` for the provider at {provider}, and a role for each of PEOPLE.
SIGNED_IN_SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "a-long-random-cookie-secret-for-the-journey"
client_id = "sms-console"
client_secret = "any-secret-the-mock-accepts"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[console.roles]
admin = ["ops@example.com"]
approver = ["carol@example.com"]
sender = ["sam@example.com"]
viewer = ["vera@example.com"]
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OIDC provider's address; it signs in whoever of PEOPLE is typed in its form."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=mail, claims={"email": mail, "name": name}) for mail, name in PEOPLE.items()]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def sign_in(page: object, app_url: str, email: str) -> None:
    """The console's Sign in button, then the provider's own form: the subject typed in.

    Streamlit reads the provider's metadata on each sign-in with a 5 s timeout, and answers
    "Authentication error" when it runs out: the test provider, a thread of the test process,
    missed it once while the other worker's load test kept the machine at a load of 14. A person
    would sign in again; so does this, up to three times (the provider is the test's, not the
    console's)."""
    for attempt in range(3):
        page.goto(app_url)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
        try:
            page.wait_for_url("**/oauth2/authorize**")  # type: ignore[attr-defined]
            break
        except Exception:
            failed = page.get_by_text("Authentication error").is_visible()  # type: ignore[attr-defined]
            if not failed or attempt == 2:
                raise
    page.locator("input[name='sub']").fill(email)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Authorize").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{app_url}/**")  # type: ignore[attr-defined]
    wait_idle(page)


def sidebar(page: object) -> object:
    return page.locator("[data-testid='stSidebar']")  # type: ignore[attr-defined]


def seen(locator: object) -> str:
    """Text as the reader sees it (the invisible joiners that stop autolinks removed)."""
    from components.ui.text import WORD_JOINER

    return locator.inner_text().replace(WORD_JOINER, "")  # type: ignore[attr-defined]


def menu(page: object) -> list[str]:
    """The page names in the sidebar menu (each link's last line: the first is its icon)."""
    links = page.locator("[data-testid='stSidebarNav'] a")  # type: ignore[attr-defined]
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]

"""Typing in Compose, measured in a real browser: from a keystroke in the message editor to the
counts line, the preview bubble and the distribution, with 10,000 recipients loaded, in one tab
and in five tabs at once (five sessions).

    .venv/bin/python tests/benchmarks/bench_typing.py      (or: make bench)

It starts `streamlit run app.py` itself (sandbox mode, its own data directory) and drives Debian's
Chromium headless; the tabs of a scenario act at the same moment (asyncio). Times are taken
inside the page, from the keydown event's timeStamp (when the browser took the key) to when a
MutationObserver first sees the DOM in the expected state, so Playwright's round trips do not
count. Targets (issue 9, section 4): one tab, median keystroke -> counts line at most 400 ms and
keystroke -> preview and distribution at most 1 s. Exits 1 when one is missed. The issue sets no
number for five tabs: those rows are report-only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.async_api import Browser, Page, async_playwright  # noqa: E402
from playwright.async_api import Error as PlaywrightError  # noqa: E402

from components.contacts.reading import read_contacts  # noqa: E402
from tests.benchmarks.datasets import contacts_csv  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, IDLE, StreamlitApp  # noqa: E402

RECIPIENTS = 10_000
PROGRAM = "12345"
MESSAGE = "Hi %%FIRST NAME%%, your code is %%PIN%%. Reply STOP to opt out "
TAIL = MESSAGE[MESSAGE.rindex("%%") + 2 :]  # the literal text after the last tag
KEYS = "abcdefghijklmnopqrstuvwxyz"
WORD = " hello"  # typed at about 8 characters a second, as a person would
WORD_DELAY_MS = 125
WAIT_MS = 10_000  # the longest a keystroke may take before it counts as missed
LOAD_MS = 30_000  # the longest a page load may take
BUDGET_S = 140.0  # no keystroke round starts later than this into the run (about 3 min in all)

TARGET_COUNTS_MS = 400
TARGET_FOLLOW_MS = 1000
FAIR_FIVE_TABS_MS = 1000  # our judgement, not the issue's: report-only

# Installed in every page before its scripts run. `arm(want, since)` names the state to wait for;
# each condition's first-seen time is kept, relative to the last keydown (or to navigation start).
_OBSERVER = """
(() => {
  const b = { want: null, keyAt: null, keys: [], hit: {} };
  window.__bench = b;
  addEventListener("keydown", (e) => {
    // The event's own time: when the browser took the key, before it waited for a busy page.
    const now = performance.now();
    b.keyAt = e.timeStamp > 0 && e.timeStamp <= now ? e.timeStamp : now;
    b.keys.push(b.keyAt);
  }, true);
  const texts = (sel) => Array.from(document.querySelectorAll(sel), (e) => e.textContent || "");
  const metric = (label) => {
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const l = m.querySelector('[data-testid="stMetricLabel"]');
      const v = m.querySelector('[data-testid="stMetricValue"]');
      if (l && v && l.textContent.trim() === label) { return v.textContent.trim(); }
    }
    return null;
  };
  const counts = (n) => {
    const start = n === null ? /^\\s*\\d[\\d,]* \\/ 800/ : new RegExp(
      "^\\\\s*" + n.toLocaleString("en-US") + " \\\\/ 800");
    return texts('[data-testid="stMarkdownContainer"]').some((t) => start.test(t));
  };
  const tests = {
    counts: (w) => counts(w.counts),
    preview: (w) => texts('[data-testid="stHtml"]').some((t) => t.includes(w.preview)),
    shortest: (w) => metric("Shortest SMS") === w.shortest,
    recipients: (w) => metric("Recipients") === w.recipients,
  };
  const check = () => {
    const w = b.want;
    if (!w) { return; }
    const base = w.fromKey ? b.keyAt : 0;
    if (base === null) { return; }
    for (const name of Object.keys(tests)) {
      if (w[name] !== undefined && b.hit[name] === undefined && tests[name](w)) {
        b.hit[name] = performance.now() - base;
      }
    }
  };
  b.arm = (want) => {
    b.want = want; b.hit = {};
    if (want.fromKey) { b.keyAt = null; b.keys = []; }
  };
  b.done = () => !!b.want && Object.keys(tests).every(
    (n) => b.want[n] === undefined || b.hit[n] !== undefined);
  b.metric = metric;
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, characterData: true });
  setInterval(check, 50);
})();
"""


@dataclass
class Tab:
    page: Page
    text: str = ""
    shortest: int = 0
    load_ms: float | None = None
    contacts_ms: float | None = None
    counts_ms: list[float] = field(default_factory=list)
    follow_ms: list[float] = field(default_factory=list)
    word_ms: list[float] = field(default_factory=list)
    word_pace: float | None = None
    missed: int = 0


def contacts_file(rows: int = RECIPIENTS) -> bytes:
    """`rows` distinct valid recipients with a FIRST NAME and a PIN, as a CSV file."""
    recipients = read_contacts(contacts_csv(int(rows * 1.4)), filename="c.csv").recipients
    head = recipients.head(rows)
    if len(head) < rows:
        raise RuntimeError(f"the data set gave only {len(head):,} recipients")
    lines = ["phone,FIRST NAME,PIN"]
    lines += [f"+{p},{n},{pin}" for p, n, pin in head[["phoneNumber", "FIRST NAME", "PIN"]].values]
    return ("\n".join(lines) + "\n").encode()


async def open_tab(browser: Browser) -> Tab:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    await context.add_init_script(_OBSERVER)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    return Tab(page)


async def load_contacts(tab: Tab, url: str, csv: bytes) -> None:
    """Opens Compose and uploads the contacts; timed in the page from navigation start until the
    recipients and the counts line are shown. An upload, not a paste: Playwright's fill() of
    10,000 lines into st.text_area takes minutes."""
    page = tab.page
    await page.goto(url)
    await page.wait_for_selector(IDLE, timeout=LOAD_MS)
    want = {"recipients": f"{RECIPIENTS:,}", "counts": None, "fromKey": False}
    await page.evaluate("(w) => window.__bench.arm(w)", want)
    await page.get_by_text("Upload a file", exact=True).click()
    dropzone = page.get_by_test_id("stFileUploaderDropzoneInput")
    await dropzone.wait_for(state="attached")
    await page.evaluate("() => { window.__bench.keyAt = performance.now(); }")
    await dropzone.set_input_files({"name": "contacts.csv", "mimeType": "text/csv", "buffer": csv})
    await page.wait_for_function("() => window.__bench.done()", polling=50, timeout=LOAD_MS)
    await page.wait_for_selector(IDLE, timeout=LOAD_MS)
    hit, uploaded_at = await page.evaluate("() => [window.__bench.hit, window.__bench.keyAt]")
    tab.load_ms = max(hit.values())
    tab.contacts_ms = tab.load_ms - uploaded_at


async def write_message(tab: Tab) -> None:
    """Program and message (not timed), then waits until the page has settled on them."""
    page = tab.page
    program = page.get_by_role("textbox", name="SMS program id")
    await program.fill(PROGRAM)
    await program.press("Enter")
    await page.wait_for_selector(IDLE)
    await page.evaluate("(n) => window.__bench.arm({counts: n, fromKey: false})", len(MESSAGE))
    editor = page.locator("textarea.input")
    await editor.click()
    await editor.press("Control+End")
    await editor.press_sequentially(MESSAGE, delay=5)
    tab.text = MESSAGE
    await page.wait_for_function("() => window.__bench.done()", polling=100)
    await page.wait_for_selector(IDLE)
    tab.shortest = await read_shortest(page)


async def read_shortest(page: Page) -> int:
    shown = "() => window.__bench.metric('Shortest SMS')"
    await page.wait_for_function(f"() => ({shown})() !== null", polling=100)
    return int((await page.evaluate(shown)).replace(",", ""))


async def type_and_measure(tab: Tab, typed: str, word: bool = False) -> None:
    """Types `typed` (a word at about 8 characters a second) and waits until the page shows it:
    counts line, preview bubble, distribution. Times run from the last keydown; a step that is
    not seen within WAIT_MS counts as WAIT_MS."""
    page = tab.page
    tab.text += typed
    tab.shortest += len(typed)
    want = {
        "counts": len(tab.text),
        "preview": TAIL + tab.text[len(MESSAGE) :],
        "shortest": f"{tab.shortest:,}",
        "fromKey": True,
    }
    await page.evaluate("(w) => window.__bench.arm(w)", want)
    editor = page.locator("textarea.input")
    await editor.press_sequentially(typed, delay=WORD_DELAY_MS if word else 0)
    try:
        await page.wait_for_function("() => window.__bench.done()", polling=50, timeout=WAIT_MS)
        await page.wait_for_selector(IDLE, timeout=WAIT_MS)
    except PlaywrightError:  # a timeout is a measurement, not a crash
        tab.missed += 1
        tab.shortest = await read_shortest(page)  # go on from what the page shows
    hit, keys = await page.evaluate("() => [window.__bench.hit, window.__bench.keys]")
    counts = hit.get("counts", WAIT_MS)
    if word:
        tab.word_ms.append(counts)
        if len(keys) > 1:
            tab.word_pace = (len(keys) - 1) * 1000 / (keys[-1] - keys[0])
        return
    tab.counts_ms.append(counts)
    tab.follow_ms.append(max(hit.get("preview", WAIT_MS), hit.get("shortest", WAIT_MS)))


async def scenario(browser: Browser, url: str, csv: bytes, tabs: int, keys: int, deadline: float):
    """`tabs` people at once: each step runs in every tab together (asyncio.gather), so that
    their reruns contend: the loads, then `keys` rounds of one keystroke, then a word."""
    opened = [await open_tab(browser) for _ in range(tabs)]
    phases, rounds = {}, 0

    async def together(step) -> None:
        await asyncio.gather(*(step(tab) for tab in opened))

    try:
        started = time.monotonic()
        await together(lambda tab: load_contacts(tab, url, csv))
        phases["load"], started = time.monotonic() - started, time.monotonic()
        await together(write_message)
        phases["message"], started = time.monotonic() - started, time.monotonic()
        while rounds < keys and time.monotonic() < deadline:
            key = KEYS[rounds % len(KEYS)]
            await together(lambda tab, key=key: type_and_measure(tab, key))
            rounds += 1
        phases["keys"], started = time.monotonic() - started, time.monotonic()
        await together(lambda tab: type_and_measure(tab, WORD, word=True))
        phases["word"] = time.monotonic() - started
    except PlaywrightError as exc:
        print(f"\n{str(exc)[:1500]}", file=sys.stderr)
        out = ROOT / "test-artifacts"
        out.mkdir(exist_ok=True)
        with contextlib.suppress(PlaywrightError):
            await opened[0].page.screenshot(path=str(out / "bench_typing.png"), timeout=10_000)
        raise
    finally:
        for tab in opened:
            await tab.page.context.close()
    return {
        "load": [t.load_ms for t in opened if t.load_ms is not None],
        "contacts": [t.contacts_ms for t in opened if t.contacts_ms is not None],
        "counts": [ms for t in opened for ms in t.counts_ms],
        "follow": [ms for t in opened for ms in t.follow_ms],
        "word": [ms for t in opened for ms in t.word_ms],
        "pace": [t.word_pace for t in opened if t.word_pace],
        "rounds": rounds,
        "phases": phases,
        "missed": sum(t.missed for t in opened),
    }


def row(name: str, values: list[float], target: str, passed: bool | None) -> str:
    if not values:
        return f"{name:<46} {'-':>5} {'-':>9} {'-':>9}  {target:<22} NO DATA"
    verdict = "report" if passed is None else ("PASS" if passed else "FAIL")
    median = statistics.median(values)
    return (
        f"{name:<46} {len(values):>5} {median:>7.0f}ms {max(values):>7.0f}ms  {target:<22} "
        f"{verdict}"
    )


def report(one: dict, five: dict | None, tabs: int) -> list[str]:
    """Prints the table; returns the missed targets."""
    failures = []
    counts_ok = bool(one["counts"]) and statistics.median(one["counts"]) <= TARGET_COUNTS_MS
    follow_ok = bool(one["follow"]) and statistics.median(one["follow"]) <= TARGET_FOLLOW_MS
    if not counts_ok:
        failures.append("1 tab: keystroke -> counts line")
    if not follow_ok:
        failures.append("1 tab: keystroke -> preview and distribution")
    print(f"\n{'scenario':<46} {'n':>5} {'median':>9} {'max':>9}  {'target':<22} result")
    print("-" * 104)
    lines = [
        row("1 tab: page load to 10,000 recipients", one["load"], "-", None),
        row("1 tab: upload to recipients shown", one["contacts"], "-", None),
        row(
            "1 tab: keystroke -> counts line",
            one["counts"],
            f"median <= {TARGET_COUNTS_MS} ms",
            counts_ok,
        ),
        row(
            "1 tab: keystroke -> preview + distribution",
            one["follow"],
            f"median <= {TARGET_FOLLOW_MS} ms",
            follow_ok,
        ),
        row(f"1 tab: word {WORD!r} at 8/s, last key -> counts", one["word"], "-", None),
    ]
    if five is not None:
        fair = f"median <= {FAIR_FIVE_TABS_MS} ms *"
        lines += [
            row(f"{tabs} tabs: page load to 10,000 recipients", five["load"], "-", None),
            row(f"{tabs} tabs: upload to recipients shown", five["contacts"], "-", None),
            row(f"{tabs} tabs: keystroke -> counts line", five["counts"], fair, None),
            row(f"{tabs} tabs: keystroke -> preview + distribution", five["follow"], "-", None),
            row(f"{tabs} tabs: word, last key -> counts", five["word"], fair, None),
        ]
    print("\n".join(lines))
    print(
        "\nTimes in the page: from the keydown's timeStamp (navigation start, for page loads) to "
        f"when the DOM shows the new state. A step that took over {WAIT_MS / 1000:.0f} s counts as "
        f"{WAIT_MS / 1000:.0f} s (misses: 1 tab {one['missed']}"
        + (f", {tabs} tabs {five['missed']}" if five else "")
        + ")."
    )
    for name, result in (("1 tab", one), (f"{tabs} tabs", five)):
        if result is not None:
            spent = ", ".join(f"{k} {v:.0f} s" for k, v in result["phases"].items())
            print(f"Wall time, {name}: {spent}.")
    if five is not None:
        print(
            f"* The issue gives no number for {tabs} tabs: these rows are report-only; a median "
            f"within {FAIR_FIVE_TABS_MS} ms is our judgement of fair. Rounds made: "
            f"{five['rounds']} (in each, one key in every tab at the same moment)."
        )
    paces = [p for r in (one, five) if r is not None for p in r["pace"]]
    if paces:
        print(f"The word was typed at {min(paces):.1f} to {max(paces):.1f} characters a second.")
    return failures


async def in_browser(url: str, csv: bytes, keys: int, tabs: int, deadline: float):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            one = await scenario(browser, url, csv, 1, keys, deadline)
            five = await scenario(browser, url, csv, tabs, keys, deadline) if tabs else None
        finally:
            await browser.close()
    return one, five


def run(csv: bytes, keys: int, tabs: int, deadline: float) -> tuple[dict, dict | None]:
    """One tab, then `tabs` tabs at once, against an app process of the run's own."""
    with tempfile.TemporaryDirectory(prefix="bench-typing-") as tmp:
        app = StreamlitApp(Path(tmp))
        try:
            app.wait_ready()
            return asyncio.run(in_browser(app.url, csv, keys, tabs, deadline))
        finally:
            app.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=12, help="keystrokes per tab (default 12)")
    parser.add_argument("--tabs", type=int, default=5, help="tabs at once (default 5; 0: skip)")
    args = parser.parse_args()
    started = time.monotonic()
    deadline = started + BUDGET_S
    load = os.getloadavg()
    print(
        f"Typing in Compose, headless Chromium, {RECIPIENTS:,} recipients; machine: "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        "(shared machine: expect noise)"
    )
    csv = contacts_file()
    try:
        one, five = run(csv, args.keys, args.tabs, deadline)
    except PlaywrightError as exc:  # its call log would print all 10,000 contacts
        print(f"\nthe browser run failed: {str(exc).splitlines()[0]}", file=sys.stderr)
        print("screenshot: test-artifacts/bench_typing.png", file=sys.stderr)
        return 2
    failures = report(one, five, args.tabs)
    load = os.getloadavg()
    print(
        f"\nran {time.monotonic() - started:.0f} s; load average at the end {load[0]:.2f} "
        f"{load[1]:.2f} {load[2]:.2f}"
    )
    print("all targets met" if not failures else f"MISSED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Other marketers keeping the console busy: `python -m tests.browser.busy_sessions URL N` runs N
browser sessions, each pasting 2,000 contacts of its own and typing a message a key at a time,
over and over, until it is terminated. A journey starts it to type while the process is loaded."""

from __future__ import annotations

import signal
import sys
import threading

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

STOP = threading.Event()


def contacts(session: int) -> str:
    rows = (f"+1949{session:02d}{i:05d},Name{i}" for i in range(2_000))
    return "phone,FIRST NAME\n" + "\n".join(rows) + "\n"


def busy(url: str, session: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        while not STOP.is_set():
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            try:
                page.goto(url)
                paste = page.get_by_role("textbox", name="Phone numbers, one a line")
                paste.fill(contacts(session))
                paste.press("Control+Enter")
                editor = page.locator("textarea.input")
                editor.click()
                words = ["Hi", "%%FIRST", "NAME%%,", "your", "order", "shipped."] * 3
                for word in words:  # a word at a time: told to stop, it stops within one
                    if STOP.is_set():
                        break
                    editor.press_sequentially(word + " ", delay=40)
            except Exception:  # a page torn down mid-action when told to stop
                pass
            finally:
                context.close()
        browser.close()


def main() -> None:
    url, sessions = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    threads = [threading.Thread(target=busy, args=(url, n)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    print("busy", flush=True)
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()

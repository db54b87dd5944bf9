"""The message editor drawn anew mid-typing (its element replaced, as a busy console does when a
full run and a fragment run cross) keeps every key: the ones typed into the old element, the
ones typed in the seconds while neither was on the page, and the caret.

Each piece of the sentence is typed while the editor is away (it fails on the editor before
3f32dad). Before that fix, keys typed while the editor was off the page for more than 1.5 s were
dropped, and a key typed between two calls of the editor's script on the same element was never
sent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import wait_idle
from tests.console_process import StreamlitApp, running

TYPED = "Hello there, your parcel arrives today between 9 and 11. Reply STOP to opt out."
# Each piece ends in the next block of the page's 18 characters, so each takes the editor off
# the page once; the next piece is typed at once, while it is away.
PIECES = [
    "Hello there, your parcel ",
    "arrives today between ",
    "9 and 11. Reply ",
    "STOP to opt out.",
]
assert "".join(PIECES) == TYPED


@pytest.fixture(scope="module")
def remount_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("remount")
    with running(StreamlitApp(folder, script="tests/browser/editor_remount_page.py")) as app:
        yield app.url


@contextlib.contextmanager
def editor_at(browser: Browser, url: str) -> Iterator[tuple[Page, Locator]]:
    """A new browser context on the test page at `url`, with the editor clicked into."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    try:
        page.goto(url)
        wait_idle(page)
        editor = page.locator("textarea.input")
        editor.click()
        yield page, editor
    finally:
        context.close()


def test_every_key_survives_the_editor_drawn_anew_while_typing(browser, remount_page):
    with editor_at(browser, remount_page) as (page, editor):
        for moves, piece in enumerate(PIECES, start=1):
            # Typed with the keyboard, as a person does: nothing waits for the editor to be on
            # the page, so most of each piece lands while it is away.
            page.keyboard.type(piece, delay=25)
            expect(page.get_by_text(f"Drawn anew: {moves}", exact=True)).to_be_visible(
                timeout=20_000
            )
        expect(page.get_by_text(f"Server has: {TYPED}", exact=True)).to_be_visible(timeout=20_000)
        expect(editor).to_have_value(TYPED)
        # The caret came along: a key typed now lands at the end, in the element on the page.
        editor.press_sequentially("!", delay=20)
        expect(page.get_by_text(f"Server has: {TYPED}!")).to_be_visible(timeout=20_000)
        editor.press("Backspace")
        expect(page.get_by_text(f"Server has: {TYPED}", exact=True)).to_be_visible(timeout=20_000)


def test_a_key_goes_at_once_and_keys_gather_only_while_a_run_is_awaited(browser, remount_page):
    """The editor sends a text when the page's run that took the one before it has ended
    (message_taken): the first key at once, the keys typed while its run is awaited (two
    seconds here) together when it ends, and a key after that at once again. The page holds a
    text at most a minute, so a fixed pause after each key would fail this test by waiting."""
    with editor_at(browser, remount_page + "/?pace=2") as (page, _):
        page.keyboard.type("Hello", delay=20)
        expect(page.get_by_text("Runs took: H | Hello", exact=True)).to_be_visible(timeout=20_000)
        page.keyboard.type("!")
        expect(page.get_by_text("Runs took: H | Hello | Hello!", exact=True)).to_be_visible(
            timeout=20_000
        )


def test_keys_after_a_pause_are_not_the_editors_while_it_is_away(browser, remount_page):
    """While the editor is off the page, keys that follow the last one are its own only within
    the streak: after a pause (the page changed under the marketer, say) they are not, and the
    editor, back, holds what was typed before and takes no focus."""
    with editor_at(browser, remount_page + "/?streak=1000") as (page, editor):
        page.keyboard.type(PIECES[0], delay=10)  # 25 characters: the editor moves, and stays away
        expect(page.get_by_text("Drawn anew: 1", exact=True)).to_be_visible(timeout=20_000)
        expect(editor).to_have_count(0)  # off the page (Streamlit removes it when the run ends)
        page.wait_for_timeout(2_500)  # a pause well over the streak: the rule under test is a time
        page.keyboard.type("XYZ", delay=10)
        page.get_by_role("button", name="Bring the editor back").click()
        expect(editor).to_have_value(PIECES[0], timeout=20_000)
        expect(page.get_by_text(f"Server has: {PIECES[0]}", exact=True)).to_be_visible()
        expect(editor).not_to_be_focused()

"""A message box that reports its text while the marketer types, not only on blur.

`st.text_area` sends its value on blur or Ctrl+Enter, so counts would lag behind the typing. This
inline `st.components.v2` editor (no build step) sends the text back as it is typed, one text at a
time: a key goes at once when the run that took the text sent before it has ended (the page
says so with `message_taken`), else the newest text goes as soon as it ends (a fixed pause after
each key made the counts wait even when the console was idle; one text at a time lets keys
gather only while the console is busy). All counting stays in Python. Characters that force
UCS-2 are marked in a backdrop behind the text, built from text nodes only (the text is never
parsed as HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from components.core.unicode_text import broken_characters_note, without_lone_surrogates
from components.ui.text import md

# A visible label, like Streamlit's own widgets: the placeholder goes away once typing starts.
_HTML = """
<label class="label" for="message-input">Message</label>
<div class="editor">
  <div class="backdrop" aria-hidden="true"></div>
  <textarea class="input" id="message-input" spellcheck="true"></textarea>
</div>
"""

_CSS = """
.label {
  display: block; margin-bottom: 0.25rem; font-size: 0.875rem; line-height: 1.6;
  font-family: var(--st-font, "Source Sans Pro", sans-serif); color: var(--st-text-color, #0a1410);
}
.editor { position: relative; width: 100%; }
.backdrop, .input {
  box-sizing: border-box; width: 100%; margin: 0; padding: 0.6rem 0.75rem;
  font-family: var(--st-font, "Source Sans Pro", sans-serif); font-size: 1rem; line-height: 1.5;
  letter-spacing: normal; white-space: pre-wrap; overflow-wrap: break-word; word-break: normal;
  border: 1px solid transparent; border-radius: 0.5rem;
}
.backdrop {
  position: absolute; inset: 0; overflow: hidden; color: transparent; pointer-events: none;
}
.backdrop mark { background: #ffd54f; color: transparent; border-radius: 2px; }
.input {
  position: relative; display: block; resize: vertical; min-height: 8rem; overflow: auto;
  background: transparent; color: var(--st-text-color, #0a1410);
  border-color: var(--st-border-color, #c9d3ce);
  caret-color: var(--st-text-color, #0a1410);
}
.input:focus { outline: none; border-color: var(--st-primary-color, #0b6e4f);
  box-shadow: 0 0 0 1px var(--st-primary-color, #0b6e4f); }
"""

_JS = """
// Streamlit calls this module again on the same element at every rerun, without the cleanup of
// the call before, and in a busy console it may draw the editor anew mid-typing (a full run and
// a fragment run crossing). So what the marketer typed lives in a store of the page that
// page-wide listeners keep, whichever editor element the keys reach; each element's own state
// (what it last reported, its timer, its listeners) is kept once, on the element.
const stores = (globalThis.__smsMessageEditors ??= {});
const elements = (globalThis.__smsMessageEditorElements ??= new WeakMap());

function editorIn(event, name) {
  const target = event.composedPath()[0];
  return target instanceof HTMLTextAreaElement && target.dataset.store === name ? target : null;
}

function remember(store, area) {
  Object.assign(store, {
    text: area.value, start: area.selectionStart, end: area.selectionEnd,
    version: area.dataset.version,
  });
}

function typeInto(store, key) {
  // A key pressed while the editor is off the page (between its old and new element).
  const text = store.text ?? "";
  let start = Math.min(store.start ?? text.length, text.length);
  const end = Math.min(Math.max(store.end ?? start, start), text.length);
  let insert = key === "Enter" ? "\\n" : key;
  if (key === "Backspace") {
    insert = "";
    if (start === end && start > 0) {
      const pair = start > 1 && /[\\uDC00-\\uDFFF]/.test(text[start - 1])
        && /[\\uD800-\\uDBFF]/.test(text[start - 2]);
      start -= pair ? 2 : 1;
    }
  }
  store.text = text.slice(0, start) + insert + text.slice(end);
  store.start = store.end = start + insert.length;
}

function storeFor(name) {
  if (stores[name]) { return stores[name]; }
  const store = { focused: false, area: null };
  const inEditor = () => store.area && store.area.isConnected
    && store.area.getRootNode().activeElement === store.area;
  document.addEventListener("input", (event) => {
    const area = editorIn(event, name);
    if (area) { remember(store, area); }
  }, true);
  for (const kind of ["keyup", "mouseup", "select"]) {
    document.addEventListener(kind, (event) => {
      const area = editorIn(event, name);
      if (area) { remember(store, area); }
    }, true);
  }
  document.addEventListener("focusin", (event) => {
    const area = editorIn(event, name);
    store.focused = area !== null;
    if (area) { store.area = area; }
  }, true);
  document.addEventListener("focusout", (event) => {
    const area = editorIn(event, name);
    if (!area || store.area !== area) { return; }
    remember(store, area);
    // Left for nothing while still on the page (a click on the page's background): the
    // marketer left the editor. Taken off the page: the keys that follow are still the editor's.
    setTimeout(() => {
      if (area.isConnected && store.area === area && !inEditor()) { store.focused = false; }
    }, 0);
  }, true);
  document.addEventListener("keydown", (event) => {
    const now = Date.now();
    const streak = now - (store.lastKeyAt ?? 0) < (store.streakMs ?? 2000);
    if (inEditor()) { store.lastKeyAt = now; return; }
    if (!store.focused || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) { return; }
    // The editor is off the page while the marketer types on: the keys are the editor's as long
    // as they follow each other; a pause ends it (the page changed, say, and the keys are not).
    if (!streak) { store.focused = false; return; }
    if (event.key.length === 1 || event.key === "Enter" || event.key === "Backspace") {
      store.lastKeyAt = now;
      typeInto(store, event.key);
      event.preventDefault();
    }
  }, true);
  stores[name] = store;
  return store;
}

function paint(area, backdrop, marked, segmenter) {
  backdrop.replaceChildren();
  const text = area.value;
  if (marked.size > 0) {
    const parts = segmenter ? Array.from(segmenter.segment(text), (s) => s.segment)
                            : Array.from(text);
    let plain = "";
    for (const part of parts) {
      if (marked.has(part)) {
        if (plain) { backdrop.appendChild(document.createTextNode(plain)); plain = ""; }
        const mark = document.createElement("mark");
        mark.textContent = part;
        backdrop.appendChild(mark);
      } else {
        plain += part;
      }
    }
    if (plain) { backdrop.appendChild(document.createTextNode(plain)); }
  } else {
    backdrop.appendChild(document.createTextNode(text));
  }
  backdrop.appendChild(document.createTextNode("\\n"));
  backdrop.style.height = area.offsetHeight + "px";
  backdrop.scrollTop = area.scrollTop;
}

function attach(area, backdrop, store) {
  // Once per element: the listeners read the element's latest settings and setStateValue.
  const own = { sent: null, sentAt: 0, taken: null, timer: null, marked: new Set() };
  const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  own.paint = () => paint(area, backdrop, own.marked, segmenter);
  own.report = () => {
    if (own.timer) { clearTimeout(own.timer); }
    own.timer = null;
    if (area.value !== own.sent) {
      own.sent = area.value;
      own.sentAt = Date.now();
      own.setStateValue("text", area.value);
    }
  };
  // One text in flight: a key goes at once when the page has taken the text sent before it
  // (the run that took it names it, `taken`, once it has drawn everything: message_taken);
  // else it waits until a run has, and the newest text goes then. A run that
  // never comes (the page failed, say) holds it at most `hold_ms`.
  own.acknowledge = (taken) => {
    own.taken = taken;
    if (own.timer && own.taken === own.sent) { own.report(); }
  };
  own.offer = () => {
    const held = Date.now() - own.sentAt;
    const hold = own.settings.hold_ms ?? 1000;
    if (own.taken === own.sent || held >= hold) { own.report(); return; }
    if (!own.timer) { own.timer = setTimeout(own.report, hold - held); }
  };
  area.addEventListener("input", () => {
    own.paint();
    own.offer();
  });
  area.addEventListener("blur", () => own.report());
  area.addEventListener("scroll", () => { backdrop.scrollTop = area.scrollTop; });
  new ResizeObserver(() => own.paint()).observe(area);
  elements.set(area, own);
  return own;
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const area = parentElement.querySelector("textarea.input");
  const backdrop = parentElement.querySelector(".backdrop");
  if (!area || !backdrop) { return; }
  const settings = data || {};
  const version = String(settings.version ?? 0);
  const name = settings.store || "editor";
  const store = storeFor(name);
  store.streakMs = settings.streak_ms ?? 2000;
  const fresh = !elements.has(area);
  const own = fresh ? attach(area, backdrop, store) : elements.get(area);
  own.settings = settings;
  own.setStateValue = setStateValue;
  own.marked = new Set(settings.highlight || []);
  area.placeholder = settings.placeholder || "";
  area.rows = settings.rows || 6;
  if (fresh) { area.dataset.store = name; }
  if (area.dataset.version !== version) {
    // A new element takes what was typed into the one before it (and while none was on the
    // page); a new version is Python replacing the text (e.g. look-alikes swapped).
    const kept = fresh && store.version === version && typeof store.text === "string";
    area.value = kept ? store.text : (settings.text ?? "");
    area.dataset.version = version;
    if (kept) {
      own.sent = settings.text ?? "";
      area.setSelectionRange(store.start ?? area.value.length, store.end ?? area.value.length);
    } else {
      own.sent = area.value;
      if (!fresh) { setStateValue("text", area.value); }
    }
    remember(store, area);
    // The marketer was typing in the editor this element replaces: the keys go on here (with
    // the new text, when Python replaced it meanwhile).
    if (fresh && store.focused) { store.area = area; area.focus(); }
  }
  own.paint();
  store.own = own;
  store.acknowledge ??= (taken) => store.own?.acknowledge(taken);
  // A page that draws message_taken says when its run is over; for one that does not, the
  // editor drawn is the page's word.
  if (fresh || !settings.taken_at_end) { own.acknowledge(settings.taken ?? null); }
  if (area.value !== own.sent && !own.timer) { own.timer = setTimeout(own.report, 0); }
  return () => {
    // Streamlit calls only the last call's cleanup, when the editor leaves the page (or at
    // once, for a call it overtook): report what is pending, keep the listeners.
    if (own.timer) { own.report(); }
  };
}
"""

_editor = st.components.v2.component(
    "sms_console.message_editor", html=_HTML, css=_CSS, js=_JS, isolate_styles=True
)

# The end of a run that took the editor's text: the editor's next text waits for it.
_TAKEN_JS = """
export default function ({ data }) {
  const store = (globalThis.__smsMessageEditors ??= {})[data?.store];
  if (store && store.acknowledge) { store.acknowledge(data.taken ?? null); }
}
"""

_taken = st.components.v2.component("sms_console.message_taken", js=_TAKEN_JS)


def message_taken(*, key: str) -> None:
    """Tells the editor `key` that this run, which took its text, has drawn everything: drawn
    last in the run. Without it the editor sends its next text as soon as the run has drawn
    the editor, and a busy console would stop that run there to start the next one, before
    the counts and the preview (the editor is the first thing a run draws)."""
    text = st.session_state.get(f"{key}__took")
    _taken(key=f"{key}.taken", data={"store": key, "taken": text})


def message_editor(
    *,
    key: str,
    text: str,
    version: int,
    highlight_for: Callable[[str], Sequence[str]] = lambda _: (),
    placeholder: str = "",
    rows: int = 6,
    hold_ms: int = 1000,
    streak_ms: int = 2000,
    taken_at_end: bool = False,
) -> str:
    """Shows the editor and returns the text the marketer has typed.

    `text` is pushed into the editor only when `version` changes (e.g. after "replace look-alikes"),
    so a rerun never overwrites what is being typed. `highlight_for(text)` names the characters to
    mark; it is asked about the text just typed, so the marks never lag one keystroke behind.
    `hold_ms`: the longest a typed text waits for the run that takes the text sent before it.
    `streak_ms`: while the editor is off the page (drawn anew), keys that follow the last one
    within this time are still the editor's; after a longer pause they are not.
    `taken_at_end`: the page draws `message_taken` at the end of each run that draws the editor.
    """
    seen_key = f"{key}__seen"
    current = _typed(st.session_state.get(key), st.session_state.get(seen_key)) or text
    st.session_state[f"{key}__took"] = current  # for message_taken
    result = _editor(
        key=key,
        data={
            "text": text,
            "version": version,
            "highlight": list(dict.fromkeys(highlight_for(current))),
            "placeholder": placeholder,
            "rows": rows,
            "taken": current,
            "hold_ms": hold_ms,
            "streak_ms": streak_ms,
            "taken_at_end": taken_at_end,
            "store": key,
        },
        default={"text": text},
        on_text_change=lambda: None,
    )
    typed = _typed(result, st.session_state.get(seen_key))
    if typed is None:
        return text
    st.session_state[seen_key] = typed
    return typed


def _typed(state: object, seen: object) -> str | None:
    """The editor's text when it changed since the page last took it, else None."""
    value = state.get("text") if isinstance(state, Mapping) else getattr(state, "text", None)
    if value is None or value == seen:
        return None
    return str(value)


def repaired_message(text: str, state_key: str, version_key: str) -> str:
    """The typed text without broken characters (lone surrogates), which would crash every
    rerun: they are removed, the editor is given the repaired text, and the page says so for as
    long as the text is the repaired one."""
    state = st.session_state
    repaired = without_lone_surrogates(text)
    if repaired.removed:
        state[f"{state_key}.repair_note"] = (
            repaired.text,
            broken_characters_note(repaired, "the message"),
        )
        state[version_key] = state.get(version_key, 0) + 1
        text = repaired.text
    kept = state.get(f"{state_key}.repair_note")
    if kept is not None:
        if kept[0] == text:
            st.warning(md(kept[1]), icon=":material/healing:")
        else:
            del state[f"{state_key}.repair_note"]
    return text

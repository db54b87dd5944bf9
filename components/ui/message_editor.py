"""A message box that reports its text while the marketer types, not only on blur.

`st.text_area` sends its value on blur or Ctrl+Enter, so counts would lag behind the typing. This
inline `st.components.v2` editor (no build step) sends the text back at once after a pause and
debounced while keys follow each other; all counting stays in Python. Characters that force
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
// Streamlit may draw the editor anew while the console is busy (a full run and a fragment run
// crossing), mid-typing: the text, the caret and the focus live in a store of the page, not in
// the element, and the keys typed in the moment between the two elements are kept too.
const stores = (globalThis.__smsMessageEditors ??= {});
const GAP_MS = 1500;

function storeFor(name) {
  if (!stores[name]) {
    const store = { pending: [] };
    document.addEventListener("keydown", (event) => {
      const gap = store.removedAt && Date.now() - store.removedAt < GAP_MS;
      if (!gap || event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (document.activeElement && document.activeElement !== document.body) { return; }
      if (event.key.length === 1 || event.key === "Enter" || event.key === "Backspace") {
        store.pending.push(event.key);
        event.preventDefault();
      }
    }, true);
    stores[name] = store;
  }
  return stores[name];
}

function replay(area, keys) {
  for (const key of keys) {
    const start = area.selectionStart, end = area.selectionEnd;
    if (key === "Backspace") {
      const from = start === end ? Math.max(0, start - 1) : start;
      area.setRangeText("", from, end, "end");
    } else {
      area.setRangeText(key === "Enter" ? "\\n" : key, start, end, "end");
    }
  }
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const area = parentElement.querySelector("textarea.input");
  const backdrop = parentElement.querySelector(".backdrop");
  if (!area || !backdrop) { return; }
  const settings = data || {};
  const version = String(settings.version ?? 0);
  const store = storeFor(settings.store || "editor");
  let sent = area.value;
  if (area.dataset.version !== version) {
    const remount = area.dataset.version === undefined;
    const kept = remount && store.version === version && typeof store.text === "string";
    area.value = kept ? store.text : (settings.text ?? "");
    area.dataset.version = version;
    sent = kept ? (settings.text ?? "") : area.value;  // what was kept is reported below
    if (kept && store.focused) {
      area.focus();
      area.setSelectionRange(store.start ?? area.value.length, store.end ?? area.value.length);
      if (store.removedAt && Date.now() - store.removedAt < GAP_MS) { replay(area, store.pending); }
    }
    store.pending = [];
    store.removedAt = null;
    // Python replaced the text (e.g. look-alikes swapped): make the widget state agree.
    if (!remount) { setStateValue("text", area.value); sent = area.value; }
  }
  area.placeholder = settings.placeholder || "";
  area.rows = settings.rows || 6;
  const marked = new Set(settings.highlight || []);
  const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  const keep = () => {
    Object.assign(store, {
      version, text: area.value, start: area.selectionStart, end: area.selectionEnd,
    });
  };
  const paint = () => {
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
  };

  let timer = null;
  const report = () => {
    timer = null;
    if (area.value !== sent) { sent = area.value; setStateValue("text", area.value); }
  };
  const onInput = () => {
    keep();
    paint();
    if (timer) { clearTimeout(timer); }
    // A key after a pause is reported at once (its counts follow it); keys typed in a row wait
    // for the pause after them, so a word is one rerun, not one per letter.
    const now = Date.now();
    const pause = settings.debounce_ms ?? 250;
    const afterPause = now - (store.lastInputAt ?? 0) > pause;
    store.lastInputAt = now;
    if (afterPause) { report(); } else { timer = setTimeout(report, pause); }
  };
  const onFocus = () => { store.focused = true; };
  const onBlur = () => {
    if (timer) { clearTimeout(timer); }
    report();
    // A blur because the element left the page is not the marketer leaving the editor.
    setTimeout(() => {
      if (area.isConnected) { store.focused = false; } else if (store.focused) {
        store.removedAt = Date.now();
      }
    }, 0);
  };
  const onScroll = () => { backdrop.scrollTop = area.scrollTop; };
  const resize = new ResizeObserver(() => paint());
  area.addEventListener("input", onInput);
  area.addEventListener("keyup", keep);
  area.addEventListener("focus", onFocus);
  area.addEventListener("blur", onBlur);
  area.addEventListener("scroll", onScroll);
  resize.observe(area);
  keep();
  paint();
  if (area.value !== sent) { timer = setTimeout(report, 0); }
  return () => {
    keep();
    if (document.activeElement === area || !area.isConnected) {
      if (store.focused) { store.removedAt = Date.now(); }
    }
    area.removeEventListener("input", onInput);
    area.removeEventListener("keyup", keep);
    area.removeEventListener("focus", onFocus);
    area.removeEventListener("blur", onBlur);
    area.removeEventListener("scroll", onScroll);
    resize.disconnect();
    if (timer) { clearTimeout(timer); report(); }
  };
}
"""

_editor = st.components.v2.component(
    "sms_console.message_editor", html=_HTML, css=_CSS, js=_JS, isolate_styles=True
)


def message_editor(
    *,
    key: str,
    text: str,
    version: int,
    highlight_for: Callable[[str], Sequence[str]] = lambda _: (),
    placeholder: str = "",
    rows: int = 6,
) -> str:
    """Shows the editor and returns the text the marketer has typed.

    `text` is pushed into the editor only when `version` changes (e.g. after "replace look-alikes"),
    so a rerun never overwrites what is being typed. `highlight_for(text)` names the characters to
    mark; it is asked about the text just typed, so the marks never lag one keystroke behind.
    """
    seen_key = f"{key}__seen"
    current = _typed(st.session_state.get(key), st.session_state.get(seen_key)) or text
    result = _editor(
        key=key,
        data={
            "text": text,
            "version": version,
            "highlight": list(dict.fromkeys(highlight_for(current))),
            "placeholder": placeholder,
            "rows": rows,
            "debounce_ms": 150,
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

"""The automated accessibility check of the browser journeys: axe-core injected into the page.

axe-core comes from the npm registry (package.json, pinned by package-lock.json; `make test`
installs it). The journeys see what axe sees when a person runs it: the WCAG 2.1 A and AA rules and
axe's best practices (heading order, landmarks...), every impact, minor included. A violation
fails the journey with a list a person can act on: the rule, what it asks for, and the elements
(selector and markup) that break it.
"""

from __future__ import annotations

from pathlib import Path

from tests.required_tools import missing_tool

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Streamlit's own elements that the app cannot change, left out of the check (each with why).
EXCLUDED: list[str] = []

_RUN = """async ({tags, exclude}) => {
  const result = await axe.run(
    {include: [document], exclude: exclude.map((selector) => [selector])},
    {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]},
  );
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def axe_path() -> Path:
    """axe-core's script, or a skip (a failure when REQUIRE_BROWSER says the checks must run)."""
    if AXE.is_file():
        return AXE
    missing_tool(
        f"axe-core is not installed ({AXE})",
        "run 'make test' (it runs 'npm ci'), "
        "or install Node.js with npm and run 'npm ci' in the project folder.",
    )


def violations(page: object, exclude: list[str] | None = None) -> list[dict]:
    """Every violation axe finds in the page as it is now (WCAG 2.1 A/AA and best practices),
    of any impact."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):  # type: ignore[attr-defined]
        page.add_script_tag(path=str(axe_path()))  # type: ignore[attr-defined]
    return page.evaluate(  # type: ignore[attr-defined]
        _RUN, {"tags": RULES, "exclude": [*EXCLUDED, *(exclude or [])]}
    )


def report(found: list[dict], where: str) -> str:
    """The violations as a readable list: rule, impact, what it asks, each element."""
    lines = [f"{where}: {len(found)} accessibility violation(s) (axe-core)"]
    for violation in found:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:8]:
            target = " > ".join(str(part) for part in node["target"])
            snippet = " ".join(node["html"].split())
            snippet = snippet if len(snippet) <= 200 else snippet[:199] + "…"
            lines.append(f"    at {target}\n       {snippet}")
            why = node["summary"].splitlines()[1:2]  # after "Fix any/all of the following:"
            if why:
                lines.append(f"       {why[0].strip()}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more element(s)")
    return "\n".join(lines)


def assert_accessible(page: object, where: str, exclude: list[str] | None = None) -> None:
    """Fails when axe finds any violation in the page as it is now."""
    found = violations(page, exclude)
    assert not found, report(found, where)


# The element that has the keyboard focus, inside components' shadow roots too.
_FOCUSED = """(element) => {
  let active = document.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) {
    active = active.shadowRoot.activeElement;
  }
  return active === element;
}"""


def tab_to(page: object, target: object, *, backwards: bool = False, limit: int = 80) -> None:
    """Presses Tab (Shift+Tab) until `target` (a locator) has the keyboard focus: it fails when
    the element cannot be reached from the keyboard. A data grid takes a Tab a column."""
    target.wait_for()  # type: ignore[attr-defined]
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)  # type: ignore[attr-defined]
        if target.evaluate(_FOCUSED):  # type: ignore[attr-defined]
            return
    raise AssertionError(f"{target} was not reached with {limit} presses of {key}")

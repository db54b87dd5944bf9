"""Plotly figures of a send's outcome. Built from the insights tables; no Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.core.shares import share_text
from components.core.states import ContactState

COLORS = {
    ContactState.SENT: "#0b6e4f",
    ContactState.FAILED: "#c0392b",
    ContactState.PENDING: "#b0b8b4",
    ContactState.SCHEDULED: "#6a5acd",
    ContactState.LEFT_OUT: "#7a5c3e",
}
_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "height": 300,
    "legend": {"orientation": "h", "y": -0.15},
    "font": {"family": "sans-serif"},
}


def _count_axis(figure: go.Figure, axis: str, largest: float) -> None:
    """Counts of people have whole-number ticks: no "0.5 recipients" on a small send."""
    options: dict[str, object] = {"tickformat": ",d", "rangemode": "tozero"}
    if largest <= 10:
        options["dtick"] = 1
    (figure.update_xaxes if axis == "x" else figure.update_yaxes)(**options)


def outcome_donut(
    sent: int, failed: int, pending: int, scheduled: int = 0, left_out: int = 0
) -> go.Figure:
    labels = list(ContactState)
    values = [sent, failed, pending, scheduled, left_out]
    total = sum(values)
    # Slices of zero get no label: a "0 (0%)" floating by the ring only adds noise.
    text = [f"{v:,}<br>{share_text(v, total)}" if v and total else "" for v in values]
    figure = go.Figure(
        go.Pie(
            labels=labels,
            values=values,
            hole=0.6,
            marker={"colors": [COLORS[label] for label in labels]},
            sort=False,
            text=text,
            textinfo="text",
            hovertemplate="%{label}: %{value:,} (%{percent})<extra></extra>",
        )
    )
    figure.update_layout(title="Outcome", **_LAYOUT)
    return figure


def failures_by_reason(groups: pd.DataFrame) -> go.Figure:
    """Horizontal bars; clicking one filters the table by that reason."""
    ordered = groups.sort_values("recipients")
    figure = go.Figure(
        go.Bar(
            x=ordered["recipients"],
            y=ordered["reason"],
            orientation="h",
            marker_color=COLORS[ContactState.FAILED],
            customdata=ordered["reason"],
            hovertemplate="%{y}: %{x:,} recipients<extra></extra>",
        )
    )
    figure.update_layout(title="Failures by reason (click to filter)", **_LAYOUT)
    _count_axis(figure, "x", float(ordered["recipients"].max()) if len(ordered) else 0)
    return figure


def failures_by_country(table: pd.DataFrame, top: int = 12) -> go.Figure:
    states = (
        table.groupby(["country", "state"]).size().unstack(fill_value=0)
        if len(table)
        else pd.DataFrame()
    )
    figure = go.Figure()
    largest = 0.0
    if len(states):
        states = states.assign(_total=states.sum(axis=1)).sort_values("_total").tail(top)
        largest = float(states["_total"].max())
        for state in ContactState:
            if state in states:
                figure.add_bar(
                    x=states[state],
                    y=states.index,
                    orientation="h",
                    name=state,
                    marker_color=COLORS[state],
                    customdata=states.index,
                    hovertemplate="%{y}: %{x:,} " + state + "<extra></extra>",
                )
    figure.update_layout(title="By country (click to filter)", barmode="stack", **_LAYOUT)
    _count_axis(figure, "x", largest)
    return figure


def breakdown_bars(frame: pd.DataFrame, by: str, title: str, key: str, top: int = 12) -> go.Figure:
    """The Overview's recipients by outcome per `by` (a program, template or country): stacked
    horizontal bars, the most recipients on top; each bar carries its `key` column's value (what
    a click filters History by)."""
    figure = go.Figure()
    largest = 0.0
    if len(frame):
        states = [ContactState.SENT, ContactState.FAILED, ContactState.PENDING]
        shown = (
            frame.assign(_total=frame[[str(s) for s in states]].sum(axis=1))
            .sort_values("_total")
            .tail(top)
        )
        largest = float(shown["_total"].max())
        for state in states:
            figure.add_bar(
                x=shown[str(state)],
                y=shown[by],
                orientation="h",
                name=state,
                marker_color=COLORS[state],
                customdata=shown[key],
                hovertemplate="%{y}: %{x:,} " + state + "<extra></extra>",
            )
    figure.update_layout(title=title, barmode="stack", **_LAYOUT)
    _count_axis(figure, "x", largest)
    return figure


def outcome_by_batch(table: pd.DataFrame) -> go.Figure:
    states = (
        table.dropna(subset=["batch"]).groupby(["batch", "state"]).size().unstack(fill_value=0)
        if len(table)
        else pd.DataFrame()
    )
    figure = go.Figure()
    for state in ContactState:
        if state in states:
            figure.add_bar(
                x=[f"#{int(b)}" for b in states.index],
                y=states[state],
                name=state,
                marker_color=COLORS[state],
                hovertemplate="batch %{x}: %{y:,} " + state + "<extra></extra>",
            )
    figure.update_layout(title="By batch", barmode="stack", **_LAYOUT)
    _count_axis(figure, "y", float(states.sum(axis=1).max()) if len(states) else 0)
    return figure


def processed_over_time(snapshots: pd.DataFrame) -> go.Figure:
    """`snapshots`: columns taken_at (datetime), processed, total (summed over transactions)."""
    figure = go.Figure()
    if len(snapshots):
        figure.add_scatter(
            x=snapshots["taken_at"],
            y=snapshots["processed"],
            mode="lines+markers",
            name="processed",
            line={"color": COLORS[ContactState.SENT]},
        )
        figure.add_scatter(
            x=snapshots["taken_at"],
            y=snapshots["total"],
            mode="lines",
            name="total",
            line={"color": COLORS[ContactState.PENDING], "dash": "dot"},
        )
    figure.update_layout(title="Processed over time", **_LAYOUT)
    _count_axis(figure, "y", float(snapshots["total"].max()) if len(snapshots) else 0)
    return figure


def text_alternative(figure: go.Figure, most: int = 8) -> str:
    """The figure in one or two sentences, for those who cannot see it (a screen reader reads
    the caption under the chart): its title, then each category with its counts, largest first."""
    title = (figure.layout.title.text or "Chart").split(" (click")[0]
    traces = list(figure.data)
    if not traces:
        return f"{title}: nothing to show."
    if isinstance(traces[0], go.Pie):
        pie = traces[0]
        values = [int(v) for v in pie.values]
        total = sum(values)
        parts = [
            f"{v:,} {label} ({share_text(v, total)})"
            for label, v in zip(pie.labels, values, strict=True)
            if v
        ]
        return f"{title}: " + (", ".join(parts) if parts else "no recipients") + "."
    if all(isinstance(t, go.Scatter) for t in traces):
        lines = []
        for trace in traces:
            ys = list(trace.y)
            if ys:
                lines.append(f"{trace.name} from {int(ys[0]):,} to {int(ys[-1]):,}")
        return f"{title} ({len(traces[0].x)} look-ups): " + "; ".join(lines) + "."
    categories: dict[str, dict[str, int]] = {}
    for trace in traces:
        horizontal = trace.orientation == "h"
        names = trace.y if horizontal else trace.x
        counts = trace.x if horizontal else trace.y
        for name, count in zip(names, counts, strict=True):
            if count:
                categories.setdefault(str(name), {})[trace.name or ""] = int(count)
    ranked = sorted(categories.items(), key=lambda item: -sum(item[1].values()))
    parts = [
        f"{name}: " + ", ".join(f"{count:,} {_unit(what, count)}" for what, count in counts.items())
        for name, counts in ranked[:most]
    ]
    more = f"; and {len(ranked) - most:,} more" if len(ranked) > most else ""
    return f"{title}: " + ("; ".join(parts) if parts else "nothing to show") + more + "."


def _unit(state: str, count: int) -> str:
    """A bar's unit: its state ("3 sent"), or recipients when the bars have no states."""
    return state or ("recipient" if count == 1 else "recipients")

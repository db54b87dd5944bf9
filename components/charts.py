"""Plotly figures of a send's outcome. Built from the insights tables; no Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.states import ContactState

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


def _share(part: int, total: int) -> str:
    """A percentage that never reads 0% or 100% when it is neither (4 failures of 3,005)."""
    share = part / total
    return f"{share:.1%}" if 0 < share < 0.01 or 0.99 < share < 1 else f"{share:.0%}"


def outcome_donut(
    sent: int, failed: int, pending: int, scheduled: int = 0, left_out: int = 0
) -> go.Figure:
    labels = list(ContactState)
    values = [sent, failed, pending, scheduled, left_out]
    total = sum(values)
    # Slices of zero get no label: a "0 (0%)" floating by the ring only adds noise.
    text = [f"{v:,}<br>{_share(v, total)}" if v and total else "" for v in values]
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

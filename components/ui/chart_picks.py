"""What a click on a chart picked: the values its points carry (their customdata, else their
y), for the charts whose bars filter a table (Status) or open History (the Overview)."""

from __future__ import annotations


def picked_values(event: object) -> list[str]:
    try:
        points = event.selection.points  # type: ignore[attr-defined]
    except AttributeError:
        return []
    values = []
    for point in points or []:
        value = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None and isinstance(point, dict):
            value = point.get("y")
        if value is not None:
            values.append(str(value))
    return values

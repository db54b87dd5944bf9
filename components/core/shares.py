"""How a part of a whole is written for a marketer, in one place for every page."""


def share_text(part: int, total: int) -> str:
    """A percentage that never reads 0% or 100% when it is neither (4 failures of 3,005)."""
    share = part / total
    if 0 < share < 0.001:
        return "<0.1%"
    if 0.999 < share < 1:
        return ">99.9%"
    return f"{share:.1%}" if 0 < share < 0.01 or 0.99 < share < 1 else f"{share:.0%}"

"""Deterministic data sets for the benchmarks (seeded: the same bytes every run)."""

from __future__ import annotations

import random

_FIRST = ["Ann", "Bob", "Zoé", "Chloé", "Jürgen", "Mia", "Raj", "Siân", "Élodie", "Li"]


def _us(rng: random.Random) -> str:
    area = rng.choice(["949", "212", "415", "646", "312", "617", "702", "206"])
    exchange = rng.randint(200, 999)
    line = rng.randint(0, 9999)
    digits = f"{area}{exchange:03d}{line:04d}"
    style = rng.randrange(6)
    if style == 0:
        return f"+1 ({area}) {exchange:03d}-{line:04d}"
    if style == 1:
        return f"({area}) {exchange:03d}-{line:04d}"
    if style == 2:
        return f"1{digits}"
    if style == 3:
        return f"{area}.{exchange:03d}.{line:04d}"
    if style == 4:
        return f"+1{digits}"
    return f"1{digits}.0"


def _gb(rng: random.Random) -> str:
    rest = rng.randint(100000, 999999)
    return rng.choice([f"+44 7911 {rest}", f"447911{rest}", f"011 44 7911 {rest}"])


def _de(rng: random.Random) -> str:
    rest = rng.randint(1000000, 9999999)
    return rng.choice([f"+49 151 {rest}1", f"49151{rest}1"])


def _fr(rng: random.Random) -> str:
    rest = rng.randint(10000000, 99999999)
    return rng.choice([f"+33 6 {rest}", f"336{rest}"])


def _invalid(rng: random.Random) -> str:
    return rng.choice(["12345", "not a number", "1.9495E+10", "+1 555 0100", "000000000000000"])


def contacts_csv(rows: int = 100_000, *, seed: int = 20261124) -> bytes:
    """CSV with a header: mixed spellings, several countries, 20% duplicates, 2% invalid."""
    rng = random.Random(seed)
    makers = [_us] * 6 + [_gb, _de, _fr]
    unique: list[str] = []
    lines = ["Phone Number,FIRST NAME,LAST NAME,PIN,Tracking"]
    for index in range(rows):
        roll = rng.random()
        if roll < 0.02:
            phone = _invalid(rng)
        elif roll < 0.22 and unique:
            phone = rng.choice(unique)
        else:
            phone = rng.choice(makers)(rng)
            unique.append(phone)
        first = rng.choice(_FIRST)
        pin = f"{rng.randint(0, 9999):04d}"
        lines.append(f'"{phone}",{first},Lee,{pin},Z{index:08d}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def wide_csv(columns: int, rows: int = 100) -> bytes:
    """A phone column and `columns - 1` personalization columns of distinct short values."""
    header = ",".join(["Phone", *(f"field {c}" for c in range(1, columns))])
    lines = [header]
    for row in range(rows):
        values = (f"r{row}c{c}" for c in range(1, columns))
        lines.append(",".join([f"+1949500{1000 + row}", *values]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def long_line(size: int) -> bytes:
    """One line of `size` bytes: a phone number repeated, comma-separated."""
    return (b"+19495001234," * (size // 13 + 1))[:size]

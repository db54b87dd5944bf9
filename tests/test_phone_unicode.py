"""Numbers as people paste them: digits of any script, invisible format characters, full-width
forms. The API's form is ASCII digits, always."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.contacts import phone
from components.contacts.phone import InvalidPhoneNumber, PhoneNumber, normalize_phone, parse_phone
from components.contacts.reading import read_contacts
from components.message.rendering import render_all
from tests.phone_reference import reference_reading

SAME_PHONE = [
    "+19495001234",
    "+1949500123\uff14",  # one full-width digit
    "+1949500123\u0664",  # one Arabic-Indic digit
    "\uff0b\uff11\uff19\uff14\uff19\uff15\uff10\uff10\uff11\uff12\uff13\uff14",  # all full-width
    "\u200e+19495001234\u200e",  # left-to-right marks, as exported from a right-to-left sheet
    "\u2066+1 949 500 1234\u2069",  # a left-to-right isolate around it
    "\u202a+1 (949) 500-1234\u202c",  # an embedding
    "\ufeff+19495001234",  # a byte-order mark inside a cell
    "+1 949\u200b500\u200b1234",  # zero-width spaces
    "+1\u2060949\u00ad500\u200c1234\u200d",  # word joiner, soft hyphen, ZWNJ, ZWJ
    "+\u0967\u096f\u096a\u096f\u096b\u0966\u0966\u0967\u0968\u0969\u096a",  # Devanagari
    "+1 \u06f9\u06f4\u06f9 500 \U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2",  # three scripts at once
    "\uff0b\uff11\uff08\uff19\uff14\uff19\uff09\uff15\uff10\uff10\uff0d\uff11\uff12\uff13\uff14",
    "(949) 500-123\u0664",  # national, default country
]


@pytest.mark.parametrize("raw", SAME_PHONE)
def test_every_spelling_of_one_phone_has_the_same_ascii_api_form(raw):
    number = parse_phone(raw, "US")
    assert number.digits == "19495001234"
    assert number.region == "US"


def test_the_spellings_of_one_phone_merge_into_one_recipient():
    text = "Phone,Name\n" + "\n".join(f"{raw},n{i}" for i, raw in enumerate(SAME_PHONE))
    contacts = read_contacts(text)
    assert contacts.recipients["phoneNumber"].tolist() == ["19495001234"]
    assert contacts.duplicates == len(SAME_PHONE) - 1
    assert contacts.rejected.empty
    assert contacts.duplicate_rows["phoneNumber"].eq("19495001234").all()


def test_the_api_form_is_ascii_digits_by_construction():
    with pytest.raises(AssertionError, match="ASCII digits"):
        PhoneNumber("1949500123\u0664", "US", 0)
    with pytest.raises(AssertionError, match="ASCII digits"):
        PhoneNumber("+19495001234", "US", 0)


@pytest.mark.parametrize(
    ("raw", "reason", "named"),
    [
        ("+1 555 555 5555\u200b", "not a valid United States number", "U+200B (zero width space)"),
        ("949500\u200b1234\u200b949500", "too long", "U+200B (zero width space)"),
        ("\u200e\u200e", "empty", "U+200E (left-to-right mark)"),
        ("\ufeff12345", "too short", "U+FEFF (byte-order mark)"),
    ],
)
def test_a_rejected_number_names_the_invisible_character_it_held(raw, reason, named):
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_phone(raw, "US")
    message = str(caught.value)
    assert reason in message
    assert f"invisible {named}" in message


def test_several_invisible_characters_are_each_named_once():
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_phone("\u200e+1 555\u200b555\u200b5555\u200e", "US")
    message = str(caught.value)
    assert message.count("U+200E") == 1 and message.count("U+200B") == 1
    assert "invisible characters" in message


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("+1 949 500\x071234", "U+0007 (a control character)"),
        ("+1 949 500 1234\x00", "U+0000 (a control character)"),
        ("+1 949\u3164500 1234", "U+3164 (hangul filler)"),
        ("+1 949\ue000500 1234", "U+E000 (a private-use character)"),
    ],
)
def test_an_invisible_character_that_is_not_removed_is_named_as_the_reason(raw, named):
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_phone(raw, "US")
    message = str(caught.value)
    assert f"invisible {named}" in message
    assert "letters" not in message  # not a vanity number


def test_spaces_of_other_widths_are_still_just_spaces():
    for space in ("\u00a0", "\u2009", "\u202f", "\u3000"):
        assert normalize_phone(f"+1{space}949{space}500{space}1234") == "19495001234"


def test_rejections_of_visible_text_say_nothing_of_invisible_characters():
    for raw in ("+1 555 555 5555", "1-800-FLOWERS", "949*500*1234"):
        with pytest.raises(InvalidPhoneNumber) as caught:
            normalize_phone(raw, "US")
        assert "invisible" not in str(caught.value)


def test_digits_that_are_not_decimal_are_not_read_as_digits():
    # phonenumbers does not read superscripts or Ethiopic numerals either.
    for raw in ("+1949500123\u00b2", "+1949500123\u1369"):
        with pytest.raises(InvalidPhoneNumber):
            normalize_phone(raw, "US")


def test_full_width_letters_are_letters():
    with pytest.raises(InvalidPhoneNumber, match="letters"):
        normalize_phone("\uff11-800-\uff26\uff2c\uff2f\uff37\uff25\uff32\uff33", "US")


def test_a_full_width_extension_is_removed_with_a_note():
    number = parse_phone("+1 201 555 0123 \uff58\uff11\uff12", "US")
    assert number.digits == "12015550123" and "extension 12 removed" in number.note


# -- headers and the phone column ------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["\u200e", "\ufeff", "\u200b", "\u2066", "\u202b"])
def test_a_header_with_an_invisible_character_still_names_its_column(mark):
    text = f"Name,{mark}Phone{mark},{mark}PIN\nAda,+19495001234,1234\nBo,+19495001235,5678\n"
    contacts = read_contacts(text)
    assert contacts.phone_column == "Phone"
    assert contacts.columns == ["Name", "Phone", "PIN"]
    rendered = render_all("Code %%PIN%% for %%Name%%", contacts.recipients, {})
    assert rendered.texts.tolist() == ["Code 1234 for Ada", "Code 5678 for Bo"]


def test_the_chosen_phone_column_is_found_without_its_invisible_characters():
    text = "\u200fMobile\u200f;Name\n+19495001234;Ada\n+19495001235;Bo\n"
    contacts = read_contacts(text, phone_column="Mobile")
    assert contacts.recipients["phoneNumber"].tolist() == ["19495001234", "19495001235"]


def test_a_full_width_header_is_recognised_but_keeps_its_name():
    # Names stay as written (users type them as %%TAGS%%); only the guess reads them as NFKC.
    # Both columns hold numbers: the name decides.
    text = "Contact,\uff30\uff28\uff2f\uff2e\uff25,\uff8f\uff70\uff99\n"
    text += "+19495001234,+19495001236,a\n+19495001235,+19495001237,b\n"
    contacts = read_contacts(text)
    assert contacts.phone_column == "\uff30\uff28\uff2f\uff2e\uff25"
    assert "\uff8f\uff70\uff99" in contacts.recipients.columns  # half-width katakana kept


def test_a_headerless_column_of_marked_numbers_keeps_its_first_row():
    text = "".join(f"\u200e+1949500{n:04d}\u200e\n" for n in range(1230, 1235))
    contacts = read_contacts(text)
    assert len(contacts.recipients) == 5
    assert contacts.recipients["phoneNumber"].iloc[0] == "19495001230"


def test_the_phone_column_is_guessed_from_full_width_and_marked_content():
    values = [
        "\u200e\uff0b\uff11\uff19\uff14\uff19\uff15\uff10\uff10\uff11\uff12\uff13" + d
        for d in "0123"
    ]
    text = "Contact,Code\n" + "\n".join(f"{v},A-{i}" for i, v in enumerate(values))
    contacts = read_contacts(text)
    assert contacts.phone_column == "Contact"
    assert contacts.recipients["phoneNumber"].tolist() == [f"1949500123{d}" for d in "0123"]


def test_a_rejected_row_keeps_its_row_number_and_names_the_character():
    text = "Phone\n+19495001234\n+1 555 555 5555\u200b\n"
    contacts = read_contacts(text)
    row = contacts.rejected.iloc[0]
    assert row["row"] == 3
    assert "U+200B (zero width space)" in row["reason"]


def test_other_columns_keep_their_invisible_characters():
    # A zero-width joiner is part of an emoji; only the phone and the header names are cleaned.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    contacts = read_contacts(f"Phone,Icon\n+19495001234,{family}\n")
    assert contacts.recipients["Icon"].tolist() == [family]


# -- the cleaning itself ---------------------------------------------------------------------------


def test_cleaning_leaves_ascii_untouched_and_maps_every_decimal_digit():
    from components.core.unicode_text import clean_number_text

    assert clean_number_text("+1 (949) 500-1234") == "+1 (949) 500-1234"
    decimals = [chr(c) for c in range(0x110000) if chr(c).isdecimal()]
    cleaned = clean_number_text("".join(decimals))
    assert cleaned.isascii() and cleaned.isdigit()
    assert cleaned == "".join(str(unicodedata.decimal(d)) for d in decimals)


def test_cleaning_removes_every_format_character_and_nothing_else():
    from components.core.unicode_text import clean_number_text, without_format_characters

    formats = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert clean_number_text("1" + "".join(formats) + "2") == "12"
    assert without_format_characters("\u200eA\u00a0B\u200d") == "A\u00a0B"


# -- agreement with phonenumbers -----------------------------------------------------------------

# Bidi marks, embeddings and isolates, zero-width spaces and joiners, word joiner, BOM, soft hyphen;
# and any other format character.
FORMAT_CHARACTERS = st.one_of(
    st.sampled_from("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    st.sampled_from("\u200b\u200c\u200d\u2060\ufeff\u00ad"),
    st.characters(categories=["Cf"]),
)
# The zero of every script's decimal digits (Unicode keeps each script's 0-9 consecutive).
ZEROS = [chr(c) for c in range(0x110000) if chr(c).isdecimal() and unicodedata.decimal(chr(c)) == 0]


@st.composite
def pasted_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(as pasted, the same in ASCII): digits of mixed scripts, format characters anywhere."""
    digits = draw(st.text(alphabet="0123456789", min_size=5, max_size=15))
    prefix = draw(st.sampled_from(["", "", "+", "\uff0b", "00", "011", "0"]))
    scripts = draw(st.lists(st.sampled_from(ZEROS), min_size=1, max_size=3))
    pasted = "".join(
        chr(ord(draw(st.sampled_from(["0", *scripts]))) + int(digit)) for digit in digits
    )
    if draw(st.booleans()):
        pasted, digits = (" ".join(re.findall(".{1,3}", text)) for text in (pasted, digits))
    pasted = prefix + pasted
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(pasted)))
        pasted = pasted[:at] + draw(FORMAT_CHARACTERS) + pasted[at:]
    return pasted, prefix.replace("\uff0b", "+") + digits


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    number=pasted_numbers(),
    region=st.sampled_from(["US", "GB", "DE", "FR", "IT", "AU", "IN", "BR", "CA", "JP"]),
)
def test_the_fast_path_agrees_with_phonenumbers_on_pasted_numbers(number, region):
    pasted, _ = number
    try:
        ours = normalize_phone(pasted, region)
    except InvalidPhoneNumber:
        ours = None
    assert ours == reference_reading(pasted, region)
    assert ours is None or (ours.isascii() and ours.isdigit())


def _outcome(raw: str, region: str) -> str:
    try:
        return phone._parse.__wrapped__(raw, region).digits
    except InvalidPhoneNumber as exc:
        return str(exc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    number=pasted_numbers(),
    region=st.sampled_from(["US", "GB", "DE", "FR", "AU", "IN", "JP", "FI", "CL", "TD"]),
)
def test_a_pasted_number_reads_as_its_ascii_spelling_with_the_same_reason(number, region):
    """Valid or not, with its reason: the script of the digits and invisible characters change
    nothing, except that a rejection names the invisible characters."""
    pasted, plain = number
    expected = _outcome(plain, region)
    got = _outcome(pasted, region)
    if expected.isdigit() or not any(unicodedata.category(c) == "Cf" for c in pasted):
        assert got == expected
    else:
        assert got.startswith(expected) and " invisible " in got

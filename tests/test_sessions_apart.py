"""Sessions of one console process share what is the same for all (a file read once by its
digest, the program listing, the do-not-text screen) and nothing else: two marketers with
different files never see each other's recipients, whatever order their reruns come in."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.apptest_support import composed, texts

pytestmark = pytest.mark.usefixtures("app_environment")  # a journal of its own, not the user's


def contacts(name: str, first: int) -> str:
    rows = "".join(f"+1949500{first + i:04d},{name}{i}\n" for i in range(3))
    return "phone,FIRST NAME\n" + rows


def shown(at) -> tuple[list[str], list[str], str]:
    """The recipients table, the preview bubble's text and the request, as this session sees
    them (the expanders opened)."""
    at.session_state["compose.recipients_open"] = True
    at.session_state["compose.request_open"] = True
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    request = next(c.value for c in at.code if c.value.lstrip().startswith("{"))
    bubble = "".join(str(h.proto.body) for h in at.get("html"))
    return table["phoneNumber"].tolist(), table["FIRST NAME"].tolist(), bubble + request


def test_two_sessions_with_different_files_never_see_each_other():
    ann, bob = f"Ann{uuid.uuid4().hex[:6]}", f"Bob{uuid.uuid4().hex[:6]}"
    first = composed("Hi %%FIRST NAME%%", contacts(ann, 1000))
    second = composed("Hello %%FIRST NAME%%", contacts(bob, 2000))
    for _ in range(2):  # interleaved reruns: each keeps its own
        numbers, names, rest = shown(first)
        assert numbers == ["19495001000", "19495001001", "19495001002"]
        assert names == [f"{ann}0", f"{ann}1", f"{ann}2"]
        assert bob not in rest and bob not in texts(first)
        assert f"Hi {ann}0" in rest
        numbers, names, rest = shown(second)
        assert numbers == ["19495002000", "19495002001", "19495002002"]
        assert names == [f"{bob}0", f"{bob}1", f"{bob}2"]
        assert ann not in rest and ann not in texts(second)
        request = json.loads(rest[rest.index("{") :])
        assert [c["phoneNumber"] for c in request["contacts"]] == numbers

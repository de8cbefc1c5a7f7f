"""Bad input on every message, reaction and read route: a clear 4xx, never a 500,
and nothing written. Text that is fine comes back exactly (after NFC)."""

from __future__ import annotations

import io
import json
import unicodedata
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api
from tests.core.test_messages import history, message_row, setup, snapshot

MiB = 1024 * 1024


class Fixture:
    """A channel with one message (and one reply) to aim bad requests at."""

    def __init__(self, app: Flask, api: Api) -> None:
        (self.a, self.b), self.wid, self.cid = setup(api, "alice", "bob")
        self.app, self.api = app, api
        self.m = api.send(self.cid, self.a, "target")
        self.reply = api.send(self.cid, self.b, "reply", thread_root_id=self.m["id"])
        self.token = self.a["token"]

    def snapshot(self) -> Any:
        return snapshot(self.app, self.api, self.cid, self.a)

    def raw(self, method: str, path: str, body: bytes, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        headers.update(kw.pop("headers", {}))
        return self.api.client.open(path, method=method, data=body, headers=headers, **kw)

    def routes(self) -> list[tuple[str, str]]:
        """Every JSON-body route of messages and reads."""
        return [
            ("POST", f"/api/v1/channels/{self.cid}/messages"),
            ("PATCH", f"/api/v1/messages/{self.m['id']}"),
            ("POST", f"/api/v1/channels/{self.cid}/read"),
        ]


@pytest.fixture
def f(app: Flask, api: Api) -> Fixture:
    return Fixture(app, api)


def refused(r: Any, status: int = 400, code: str | None = None) -> None:
    assert r.status_code == status, (r.status_code, r.get_data()[:300])
    body = r.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body


# -- bodies that are not a JSON object ------------------------------------------------

NOT_JSON = [
    b"",
    b"{",
    b"nul",
    b"{'text': 'x'}",
    b'{"text": "x"} trailing',
    b'{"text": "x",}',
    b"\xef\xbb\xbf" + b'{"text": "bom"}',
    b"[" * 100_000,
    b'{"seq": 1' + b"0" * 5000 + b"}",
]
NOT_OBJECT = [b"[]", b'"text"', b"1", b"null", b"true", b'[{"text": "x"}]']


def test_bodies_that_are_not_json_objects(f: Fixture) -> None:
    before = f.snapshot()
    for method, path in f.routes():
        for body in NOT_JSON:
            refused(f.raw(method, path, body), 400, "invalid_json")
        for body in NOT_OBJECT:
            refused(f.raw(method, path, body), 400, "invalid_json")
        # Form data is not JSON either, whatever it says.
        refused(f.raw(method, path, b"text=x", headers={"Content-Type": "text/plain"}))
    assert f.snapshot() == before


def test_json_nested_too_deeply_says_so(f: Fixture) -> None:
    for method, path in f.routes():
        for body in (b"[" * 100_000, b'{"text": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001):
            r = f.raw(method, path, body)
            refused(r, 400, "invalid_json")
            assert r.get_json()["error"]["message"] == "JSON is nested too deeply"


BAD_UTF8 = [
    b'{"text": "\xff"}',
    b'{"text": "\xc0\xaf"}',  # overlong
    b'{"text": "\xed\xa0\x80"}',  # an encoded surrogate
    b'{"text": "ok\xe2\x82"}',  # truncated sequence
    b'{"seq": 1, "x": "\xfe"}',
]


def test_invalid_utf8_and_lone_surrogates(f: Fixture) -> None:
    before = f.snapshot()
    for method, path in f.routes():
        for body in BAD_UTF8:
            refused(f.raw(method, path, body), 400, "invalid_utf8")
    for method, path in f.routes()[:2]:
        for escaped in ('"\\ud800"', '"a\\udc00b"', '"\\udbff\\u0041"', '"\\ude00\\ud83d"'):
            refused(f.raw(method, path, b'{"text": ' + escaped.encode() + b"}"), 400)
        refused(f.raw(method, path, b'{"text": "a\\u0000b"}'), 400, "invalid_text")
        refused(f.raw(method, path, b'{"text": "a\x00b"}'), 400)
    refused(
        f.raw("POST", f.routes()[0][1], b'{"text": "x", "client_msg_id": "\\ud800"}'),
        400,
    )
    assert f.snapshot() == before
    # A proper surrogate pair is an emoji.
    r = f.raw("POST", f.routes()[0][1], b'{"text": "\\ud83d\\ude00"}')
    assert r.status_code == 201 and r.get_json()["text"] == "\U0001f600"


# -- fields of the wrong type, or missing ---------------------------------------------

TEXT_BAD = [1, 1.5, True, False, [], ["x"], {}, {"text": "x"}]
ID_BAD = [
    "abc",
    "-1",
    -1,
    0,
    "0",
    1.5,
    True,
    [],
    {},
    "1e5",
    " 1",
    "1 ",
    "\uff11",
    "99999999999999999999",
    2**63,
    2**64,
    "",
]
CMID_BAD = [1, True, [], {}, "", "x" * 65, "h\u00e9llo", "tab\there", "\n"]
SEQ_BAD = ["1", 1.5, True, [], {}, -1, 2**70, "x", None]


def test_wrong_types_on_post(f: Fixture) -> None:
    path = f.routes()[0][1]
    before = f.snapshot()
    refused(f.api.post(path, {}, f.token), 400, "missing_field")
    refused(f.api.post(path, {"text": None}, f.token), 400, "missing_field")
    refused(f.api.post(path, {"txt": "x"}, f.token), 400, "missing_field")
    for value in TEXT_BAD:
        refused(f.api.post(path, {"text": value}, f.token), 400, "invalid_type")
    for value in CMID_BAD:
        refused(f.api.post(path, {"text": "x", "client_msg_id": value}, f.token), 400)
    for value in ID_BAD:
        refused(f.api.post(path, {"text": "x", "thread_root_id": value}, f.token), 400)
    for blank in ("", " ", "\n\t ", "\u3000"):
        refused(f.api.post(path, {"text": blank}, f.token), 400)
    assert f.snapshot() == before


def test_wrong_types_on_edit(f: Fixture) -> None:
    path = f.routes()[1][1]
    before = f.snapshot()
    refused(f.api.patch(path, {}, f.token), 400, "missing_field")
    refused(f.api.patch(path, {"text": None}, f.token), 400, "missing_field")
    for value in TEXT_BAD:
        refused(f.api.patch(path, {"text": value}, f.token), 400, "invalid_type")
    refused(f.api.patch(path, {"text": " "}, f.token), 400, "empty_message")
    refused(f.api.patch(path, {"text": "x" * 16_001}, f.token), 400, "message_too_long")
    assert f.snapshot() == before


def test_wrong_types_on_read(f: Fixture) -> None:
    path = f.routes()[2][1]
    before = f.snapshot()
    refused(f.api.post(path, {}, f.token), 400, "missing_field")
    for value in SEQ_BAD:
        refused(f.api.post(path, {"seq": value}, f.token), 400)
    assert f.snapshot() == before


# -- ids in paths and query parameters ------------------------------------------------

BAD_IDS = ["abc", "-1", "0", "1.5", "1e3", "99999999999999999999", "18446744073709551616", "%20"]


def test_ids_in_paths(f: Fixture) -> None:
    before = f.snapshot()
    api, t = f.api, f.token
    for bad in BAD_IDS:
        calls = [
            api.post(f"/api/v1/channels/{bad}/messages", {"text": "x"}, t),
            api.get(f"/api/v1/channels/{bad}/messages", t),
            api.get(f"/api/v1/messages/{bad}", t),
            api.patch(f"/api/v1/messages/{bad}", {"text": "x"}, t),
            api.delete(f"/api/v1/messages/{bad}?scope=me", t),
            api.put(f"/api/v1/messages/{bad}/reactions/%F0%9F%91%8D", token=t),
            api.delete(f"/api/v1/messages/{bad}/reactions/%F0%9F%91%8D", token=t),
            api.post(f"/api/v1/channels/{bad}/read", {"seq": 1}, t),
            api.get(f"/api/v1/messages/{bad}/thread", t),
        ]
        for r in calls:
            refused(r, 400)
    # Well-formed ids of nothing are not found.
    for unknown in ("1", "424242", str(2**63 - 1)):
        calls = [
            api.post(f"/api/v1/channels/{unknown}/messages", {"text": "x"}, t),
            api.get(f"/api/v1/channels/{unknown}/messages", t),
            api.get(f"/api/v1/messages/{unknown}", t),
            api.patch(f"/api/v1/messages/{unknown}", {"text": "x"}, t),
            api.delete(f"/api/v1/messages/{unknown}?scope=everyone", t),
            api.put(f"/api/v1/messages/{unknown}/reactions/%F0%9F%91%8D", token=t),
            api.delete(f"/api/v1/messages/{unknown}/reactions/%F0%9F%91%8D", token=t),
            api.post(f"/api/v1/channels/{unknown}/read", {"seq": 1}, t),
            api.get(f"/api/v1/messages/{unknown}/thread", t),
        ]
        for r in calls:
            refused(r, 404)
    # A channel id where a message id belongs (and back) is just unknown.
    refused(api.get(f"/api/v1/messages/{f.cid}", t), 404)
    refused(api.get(f"/api/v1/channels/{f.m['id']}/messages", t), 404)
    assert f.snapshot() == before


def test_history_query_parameters(f: Fixture) -> None:
    path = f"/api/v1/channels/{f.cid}/messages"
    for query in (
        "before=abc",
        "before=-1",
        "before=0",
        "before=1.5",
        "after=-1",
        "after=x",
        "around=%00",
        "limit=0",
        "limit=-5",
        "limit=abc",
        "limit=201",
        "limit=100000",
        "limit=99999999999999999999999",
        "before=5&after=1",
        "around=2&before=5",
    ):
        refused(f.api.get(f"{path}?{query}", f.token), 400)
    # Blank values mean "not given"; unknown parameters are ignored.
    assert f.api.get(f"{path}?before=&limit=&x=1", f.token).status_code == 200
    assert len(history(f.api, f.cid, f.a, "?limit=200")["messages"]) == 1


# Not integers, however int() or str.isdigit() might see them.
NOT_INTS = [
    "--5",
    "--1",
    "-",
    "+5",
    "+-5",
    "-+5",
    " 5",
    "5 ",
    "%205",
    "5%0A",
    "%0A5",
    "5%00",
    "0x10",
    "1_000",
    "1e3",
    "1.0",
    "5-",
    "\u0665",  # ARABIC-INDIC DIGIT FIVE
    "%EF%BC%95",  # FULLWIDTH DIGIT FIVE
    "%C2%B2",  # SUPERSCRIPT TWO: isdigit() says yes
    "9" * 20,
    "-" + "9" * 20,
    "9" * 5000,
]


def integer_query_parameters(f: Fixture) -> list[tuple[str, str]]:
    """Every integer query parameter of the API: (path, name)."""
    return [
        (f"/api/v1/channels/{f.cid}/messages", "before"),
        (f"/api/v1/channels/{f.cid}/messages", "after"),
        (f"/api/v1/channels/{f.cid}/messages", "around"),
        (f"/api/v1/channels/{f.cid}/messages", "limit"),
        (f"/api/v1/messages/{f.m['id']}/thread", "after"),
        (f"/api/v1/messages/{f.m['id']}/thread", "limit"),
        (f"/api/v1/workspaces/{f.wid}/search?q=target", "limit"),
        (f"/api/v1/workspaces/{f.wid}/mentions", "limit"),
    ]


def test_integer_query_parameters_are_strict(f: Fixture) -> None:
    for path, name in integer_query_parameters(f):
        sep = "&" if "?" in path else "?"
        for bad in NOT_INTS:
            refused(f.api.get(f"{path}{sep}{name}={bad}", f.token), 400, "invalid_type")
        # Well-formed, out of range.
        for big in ("-5", "-1", str(2**63), "-" + str(2**63), "9" * 19):
            refused(f.api.get(f"{path}{sep}{name}={big}", f.token), 400, "out_of_range")
        # Fine ones, leading zeros and all.
        for good in ("1", "0001"):
            r = f.api.get(f"{path}{sep}{name}={good}", f.token)
            assert r.status_code == 200, (path, name, good, r.get_json())
    # 0 is a fine cursor for after and around, not for before or a limit.
    for path, name in integer_query_parameters(f):
        sep = "&" if "?" in path else "?"
        r = f.api.get(f"{path}{sep}{name}=0", f.token)
        if name in ("after", "around"):
            assert r.status_code == 200, (path, name)
        else:
            refused(r, 400, "out_of_range")


def test_methods_not_served(f: Fixture) -> None:
    r = f.api.post(f"/api/v1/messages/{f.m['id']}", {"text": "x"}, f.token)
    refused(r, 405, "method_not_allowed")
    r = f.api.put(f"/api/v1/channels/{f.cid}/messages", {"text": "x"}, f.token)
    refused(r, 405)
    r = f.api.get(f"/api/v1/messages/{f.m['id']}/reactions/x", f.token)
    refused(r, 405)


# -- sizes ------------------------------------------------------------------------------


def big_body(total: int) -> bytes:
    """A valid JSON object of `total` bytes (a short text padded with spaces)."""
    head = json.dumps({"text": "big"}).encode()
    return head + b" " * (total - len(head))


def test_bodies_over_one_mib(f: Fixture) -> None:
    before = f.snapshot()
    for method, path in f.routes():
        refused(f.raw(method, path, big_body(MiB + 1)), 413, "too_large")
        refused(f.raw(method, path, big_body(4 * MiB)), 413, "too_large")
        # A Content-Length that claims more than the limit is refused before reading.
        r = f.api.client.open(
            path,
            method=method,
            input_stream=io.BytesIO(b'{"text": "x", "seq": 1}'),
            headers={"Authorization": f"Bearer {f.token}"},
            environ_overrides={"CONTENT_LENGTH": str(2 * MiB)},
        )
        refused(r, 413, "too_large")
        # Streamed (chunked, no Content-Length): cut at the limit, still refused.
        r = f.api.client.open(
            path,
            method=method,
            input_stream=io.BytesIO(big_body(2 * MiB)),
            headers={"Authorization": f"Bearer {f.token}", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        refused(r, 413, "too_large")
        # A Content-Length smaller than the body: only that much is read, and it is
        # not a whole JSON object.
        r = f.api.client.open(
            path,
            method=method,
            input_stream=io.BytesIO(big_body(2 * MiB)),
            headers={"Authorization": f"Bearer {f.token}"},
            environ_overrides={"CONTENT_LENGTH": "10"},
        )
        refused(r, 400, "invalid_json")
    assert f.snapshot() == before
    # Just under the limit, streamed or not, is fine.
    r = f.raw("POST", f.routes()[0][1], big_body(MiB - 1))
    assert r.status_code == 201
    r = f.api.client.open(
        f.routes()[0][1],
        method="POST",
        input_stream=io.BytesIO(big_body(MiB - 1)),
        headers={"Authorization": f"Bearer {f.token}", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert r.status_code == 201, r.get_json()


def test_text_length_limit_in_code_points(f: Fixture) -> None:
    path = f.routes()[0][1]
    before = f.snapshot()
    refused(f.api.post(path, {"text": "x" * 16_001}, f.token), 400, "message_too_long")
    refused(f.api.post(path, {"text": "\U0001f600" * 16_001}, f.token), 400, "message_too_long")
    assert f.snapshot() == before
    # Exactly the limit, also in 4-byte characters (64,000 bytes), is stored whole.
    for text in ("x" * 15_999 + "!", "\U0001f600" * 16_000):
        r = f.api.post(path, {"text": text}, f.token)
        assert r.status_code == 201
        m = r.get_json()
        assert m["text"] == text
        assert f.api.get(f"/api/v1/messages/{m['id']}", f.token).get_json()["text"] == text
        assert message_row(f.app, f.cid, m["id"]).text == text
    # The limit counts what is stored: decomposed input that composes to fewer fits.
    decomposed = "e\u0301" * 8_001  # 16,002 code points, 8,001 after NFC
    r = f.api.post(path, {"text": decomposed}, f.token)
    assert r.status_code == 201 and r.get_json()["text"] == "\u00e9" * 8_001


# -- text is kept exactly ----------------------------------------------------------------

EXACT = [
    "\U0001f600\U0001f680\U0001f9d1\u200d\U0001f680",  # 4-byte emoji, ZWJ
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "\U0001f44d\U0001f3fd\U0001f3f3\ufe0f\u200d\U0001f308",  # skin tone, flag sequence
    "caf\u00e9 na\u00efve \u00c5ngstr\u00f6m",  # precomposed, already NFC
    "q\u0323\u0307 Z\u0351\u0352\u0315a\u0364g\u0303o",  # combining marks (NFC)
    "\u0915\u094d\u0937 \u0e01\u0e34\u0e4a",  # Devanagari conjunct, Thai marks
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",  # Hebrew
    "\u0645\u0631\u062d\u0628\u0627 \u200fworld\u200e!",  # Arabic with direction marks
    "\u202eevil\u202c and \u2066isolate\u2069",  # bidi controls are text too
    "\u4f60\u597d\uff0c\u4e16\u754c \u3053\u3093\u306b\u3061\u306f \ud55c\uad6d\uc5b4",
    "tabs\tand\nnewlines\r\n  and  spaces  ",
    "\U0001d54f\U0001d552\U0001d55d\U0001d556 \U00010348 \U0001f1fa\U0001f1f8",
    "<script>alert('x')</script> & \"quotes\" \\ backslash",
    "\ufeffBOM-led and \u200bzero-width",
]


def test_text_round_trips_exactly(f: Fixture) -> None:
    for text in EXACT:
        assert unicodedata.is_normalized("NFC", text)
        m = f.api.send(f.cid, f.a, text)
        assert m["text"] == text
        got = f.api.get(f"/api/v1/messages/{m['id']}", f.token)
        assert got.get_json()["text"].encode("utf-8") == text.encode("utf-8")
        # The raw response carries the characters themselves, UTF-8 encoded.
        assert json.loads(got.get_data().decode("utf-8"))["text"] == text
        assert message_row(f.app, f.cid, m["id"]).text == text
        edited = f.api.patch(f"/api/v1/messages/{m['id']}", {"text": text + "!"}, f.token)
        assert edited.get_json()["text"] == text + "!"
    assert [m["text"] for m in history(f.api, f.cid, f.b)["messages"][1:]] == [
        t + "!" for t in EXACT
    ]


NOT_NFC = [
    ("e\u0301", "\u00e9"),
    ("A\u030angstro\u0308m", "\u00c5ngstr\u00f6m"),
    ("q\u0307\u0323", "q\u0323\u0307"),  # canonical order of marks
    ("\u1100\u1161\u11a8", "\uac01"),  # conjoining jamo compose to a syllable
    ("\u212b", "\u00c5"),  # the Angstrom sign is a singleton decomposition
]


def test_text_is_stored_in_nfc(f: Fixture) -> None:
    for raw, nfc in NOT_NFC:
        assert raw != nfc and unicodedata.normalize("NFC", raw) == nfc
        m = f.api.send(f.cid, f.a, f"[{raw}]")
        assert m["text"] == f"[{nfc}]"
        assert message_row(f.app, f.cid, m["id"]).text == f"[{nfc}]"
        edited = f.api.patch(f"/api/v1/messages/{m['id']}", {"text": raw}, f.token)
        assert edited.get_json()["text"] == nfc

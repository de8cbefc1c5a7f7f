"""Parsing and validating request input. Every failure is a 400 with a clear message."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from flask import request

from teamchat.errors import BadRequest, TooLarge

_MISSING = object()


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object. Size is already capped by MAX_CONTENT_LENGTH."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(raw) >= limit:
        # A streamed (chunked) body is cut at the limit without an error: refuse it.
        raise TooLarge("request body is larger than the limit of 1 MiB")
    if not raw:
        if optional:
            return {}
        raise BadRequest("a JSON object body is required", code="invalid_json")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"body is not valid UTF-8 (byte {exc.start})", code="invalid_utf8"
        ) from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise BadRequest("JSON is nested too deeply", code="invalid_json") from None
    except ValueError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object", code="invalid_json")
    return body


def clean_text(value: str, field: str) -> str:
    """Refuse NUL and lone surrogates, then NFC-normalise."""
    if "\x00" in value:
        raise BadRequest(f"{field} must not contain NUL characters", code="invalid_text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(
            f"{field} contains a lone surrogate (invalid Unicode)", code="invalid_text"
        ) from None
    return unicodedata.normalize("NFC", value)


def get_str(
    body: dict[str, Any],
    field: str,
    *,
    required: bool = True,
    max_len: int | None = None,
    min_len: int = 0,
    strip: bool = False,
) -> str | None:
    value = body.get(field, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise BadRequest(f"{field} is required", code="missing_field")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{field} must be a string", code="invalid_type")
    value = clean_text(value, field)
    if strip:
        value = value.strip()
    if max_len is not None and len(value) > max_len:
        raise BadRequest(
            f"{field} is too long ({len(value)} characters, the limit is {max_len})",
            code="too_long",
        )
    if len(value) < min_len:
        raise BadRequest(
            f"{field} must not be empty" if min_len == 1 else f"{field} is too short",
            code="too_short",
        )
    return value


def get_bool(body: dict[str, Any], field: str, default: bool = False) -> bool:
    value = body.get(field, _MISSING)
    if value is _MISSING or value is None:
        return default
    if not isinstance(value, bool):
        raise BadRequest(f"{field} must be true or false", code="invalid_type")
    return value


def parse_id(value: Any, field: str) -> int:
    """Ids travel as strings (64-bit ids do not fit a JS number); plain ints are accepted."""
    if isinstance(value, bool):
        raise BadRequest(f"{field} must be an id string", code="invalid_type")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        number = int(value)
    else:
        raise BadRequest(f"{field} must be an id string", code="invalid_type")
    if not 0 < number < 2**63:
        raise BadRequest(f"{field} is out of range", code="invalid_type")
    return number


def get_id(body: dict[str, Any], field: str, required: bool = True) -> int | None:
    value = body.get(field, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise BadRequest(f"{field} is required", code="missing_field")
        return None
    return parse_id(value, field)


def get_id_list(
    body: dict[str, Any], field: str, required: bool = True, max_items: int = 1000
) -> list[int]:
    value = body.get(field, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise BadRequest(f"{field} is required", code="missing_field")
        return []
    if not isinstance(value, list):
        raise BadRequest(f"{field} must be a list of id strings", code="invalid_type")
    if len(value) > max_items:
        raise BadRequest(f"{field} has more than {max_items} items", code="too_long")
    out: list[int] = []
    for item in value:
        number = parse_id(item, field)
        if number not in out:
            out.append(number)
    return out


def get_int(
    body: dict[str, Any],
    field: str,
    *,
    required: bool = True,
    minimum: int = 0,
    maximum: int = 2**62,
) -> int | None:
    value = body.get(field, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise BadRequest(f"{field} is required", code="missing_field")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{field} must be an integer", code="invalid_type")
    if not minimum <= value <= maximum:
        raise BadRequest(f"{field} must be between {minimum} and {maximum}", code="out_of_range")
    return value


# An optional minus, then 1 to 19 ASCII digits: at most a signed 64-bit number's width.
# Whether a negative makes sense is the range check's business.
_QUERY_INT = re.compile(r"-?[0-9]{1,19}")


def query_int(
    name: str, default: int | None = None, minimum: int = 0, maximum: int = 2**62
) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # fullmatch, not isdigit(): "--5", "+5", " 5", "5\n" and non-ASCII digits never reach int().
    if not _QUERY_INT.fullmatch(raw):
        raise BadRequest(f"query parameter {name} must be an integer", code="invalid_type")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadRequest(
            f"query parameter {name} must be between {minimum} and {maximum}",
            code="out_of_range",
        )
    return value

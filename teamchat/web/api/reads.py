"""Read pointers."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from teamchat.runtime import transaction
from teamchat.services import reads
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_int, json_body, parse_id
from teamchat.web.api.session import auth_required, current_user


@bp.post("/channels/<cid>/read")
@auth_required
def mark_read(cid: str) -> Any:
    """Move the caller's read pointer forward to seq (never back)."""
    channel_id = parse_id(cid, "channel_id")
    body = json_body()
    seq = get_int(body, "seq", minimum=0)
    with transaction() as tx:
        result = reads.do_mark_read(tx, current_user(), channel_id, seq)  # type: ignore[arg-type]
    return jsonify(result)

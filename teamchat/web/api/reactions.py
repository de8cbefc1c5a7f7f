"""Reactions on a message."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from teamchat.runtime import transaction
from teamchat.services import reactions
from teamchat.web.api import bp
from teamchat.web.api.inputs import clean_text, parse_id
from teamchat.web.api.session import auth_required, current_user


@bp.put("/messages/<mid>/reactions/<emoji>")
@auth_required
def add_reaction(mid: str, emoji: str) -> Any:
    """React with an emoji (URL-encoded Unicode emoji or :shortcode:); idempotent."""
    message_id = parse_id(mid, "message_id")
    emoji = clean_text(emoji, "emoji")
    with transaction() as tx:
        result = reactions.do_add_reaction(tx, current_user(), message_id, emoji)
    return jsonify(result)


@bp.delete("/messages/<mid>/reactions/<emoji>")
@auth_required
def remove_reaction(mid: str, emoji: str) -> Any:
    """Take back one's reaction; removing one that is not there is not an error."""
    message_id = parse_id(mid, "message_id")
    emoji = clean_text(emoji, "emoji")
    with transaction() as tx:
        result = reactions.do_remove_reaction(tx, current_user(), message_id, emoji)
    return jsonify(result)

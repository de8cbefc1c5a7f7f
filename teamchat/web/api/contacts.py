"""The caller's contacts."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from teamchat.runtime import transaction
from teamchat.services import contacts
from teamchat.web.api import bp
from teamchat.web.api.inputs import parse_id
from teamchat.web.api.session import auth_required, current_user
from teamchat.web.errors import no_content


@bp.get("/contacts")
@auth_required
def list_contacts() -> Any:
    """The caller's contacts, each with presence (online, away or offline)."""
    with transaction() as tx:
        result = contacts.list_contacts(tx, current_user())
    return jsonify({"contacts": result})


@bp.put("/contacts/<user_id>")
@auth_required
def add_contact(user_id: str) -> Any:
    """Add someone who shares a workspace with the caller: 201 the first time, 200 after."""
    contact_id = parse_id(user_id, "user_id")
    with transaction() as tx:
        result, created = contacts.do_add_contact(tx, current_user(), contact_id)
    return jsonify(result), 201 if created else 200


@bp.delete("/contacts/<user_id>")
@auth_required
def remove_contact(user_id: str) -> Any:
    """Remove a contact (204, also when they were not one)."""
    contact_id = parse_id(user_id, "user_id")
    with transaction() as tx:
        contacts.do_remove_contact(tx, current_user(), contact_id)
    return no_content()

"""SQLAlchemy tables, one module per noun. Directory tables and shard tables use
separate metadata, so each database gets only its own schema."""

from teamchat.models.base import DirectoryBase, ShardBase
from teamchat.models.channels import Channel, ChannelMember
from teamchat.models.contacts import Contact
from teamchat.models.events import ChannelEvent, SearchOutbox
from teamchat.models.messages import ChannelCounter, Hide, Mention, Message, Reaction, ReadPointer
from teamchat.models.users import DeviceSession, User
from teamchat.models.workspaces import Workspace, WorkspaceMember

__all__ = [
    "Channel",
    "ChannelCounter",
    "ChannelEvent",
    "ChannelMember",
    "Contact",
    "DeviceSession",
    "DirectoryBase",
    "Hide",
    "Mention",
    "Message",
    "ReadPointer",
    "Reaction",
    "SearchOutbox",
    "ShardBase",
    "User",
    "Workspace",
    "WorkspaceMember",
]

from teamchat.migrations.env_common import run
from teamchat.models import ShardBase

run(ShardBase.metadata)

from teamchat.migrations.env_common import run
from teamchat.models import DirectoryBase

run(DirectoryBase.metadata)

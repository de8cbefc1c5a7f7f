-- TeamChat's databases, created on the first start of an empty MariaDB volume (the
-- image runs /docker-entrypoint-initdb.d/*.sql once, after it has created the
-- MARIADB_USER). One directory database and two shards: TEAMCHAT_SHARD_URLS in
-- compose.yaml lists the shards in this order. The schema is `teamchat db upgrade`'s.
CREATE DATABASE IF NOT EXISTS teamchat_directory CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS teamchat_shard0 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS teamchat_shard1 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

GRANT ALL PRIVILEGES ON teamchat_directory.* TO 'teamchat'@'%';
GRANT ALL PRIVILEGES ON teamchat_shard0.* TO 'teamchat'@'%';
GRANT ALL PRIVILEGES ON teamchat_shard1.* TO 'teamchat'@'%';
FLUSH PRIVILEGES;

#!/usr/bin/env bash
# Test services for TeamChat: MariaDB, Redis and a single-node Elasticsearch 8,
# all on loopback, for the test suite and benchmarks.
#
#   scripts/services.sh start [--started-file FILE]   install if missing, start what is down
#   scripts/services.sh stop [mariadb|redis|es ...]   stop services that this script started
#   scripts/services.sh status                        print each service up/down
#   scripts/services.sh env                           print the test suite's export lines
#
# `start` is idempotent and serialised with flock: a service that is already
# up (started by us, by another run, or by someone else) is left alone. Each
# service that `start` launches gets a pid file in $STATE_DIR/run; `stop`
# stops only those. With --started-file, `start` also writes the names of the
# services that this very call launched, one per line (used by scripts/test.sh).
#
# Needs root on Debian 12 (apt-get, runuser). Downloads and caches live outside
# the repository so that a second run and a fresh clone reuse them.
set -euo pipefail

STATE_DIR="${TEAMCHAT_SERVICES_STATE:-/var/lib/teamchat-ci}"
CACHE_DIR="${TEAMCHAT_SERVICES_CACHE:-/var/cache/teamchat-ci}"
RUN_DIR="$STATE_DIR/run"
LOCK_FILE="$STATE_DIR/locks/services.lock"

MYSQL_PORT=3306
REDIS_PORT=6379
ES_PORT=9200
# Newest first. The integ-test zip of 8.19.21 starts on OpenJDK 17; the others
# are fallbacks should that artifact ever stop resolving.
ES_VERSIONS="${TEAMCHAT_ES_VERSION:-8.19.21 8.19.8 8.19.4 8.18.0}"
ES_USER=teamchat-es
ES_HEAP="${TEAMCHAT_ES_HEAP:-512m}"
START_TIMEOUT="${TEAMCHAT_SERVICES_START_TIMEOUT:-240}"

DB_USER=teamchat
DB_PASSWORD=teamchat
DATABASES="teamchat_test_directory teamchat_test_shard0 teamchat_test_shard1
teamchat_bench_directory teamchat_bench_shard0 teamchat_bench_shard1"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
    printf '[services] ERROR: %s\n' "$*" >&2
    exit 1
}

need_root() {
    [ "$(id -u)" -eq 0 ] || die "run as root (installs packages and starts services as their own users)"
}

# Daemons must not inherit our descriptors: an inherited lock descriptor
# would hold the flock for as long as the daemon lives.
close_fds() {
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
        fd="${fd##*/}"
        if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- packages

# apt-get update only when a package is missing, at most once per call.
APT_UPDATED=0
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" = 0 ]; then
        apt-get update -q >/dev/null
        APT_UPDATED=1
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- pid files

# pid_alive NAME PATTERN: our pid file names a live process whose command line
# matches PATTERN (so a recycled pid is never mistaken for our service).
pid_alive() {
    local f="$RUN_DIR/$1.pid" pid
    [ -s "$f" ] || return 1
    pid="$(cat "$f")"
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

record_pid() { printf '%s\n' "$2" >"$RUN_DIR/$1.pid"; }

# stop_pid NAME PATTERN GRACE_SECONDS
stop_pid() {
    local name="$1" pattern="$2" grace="$3" pid i
    if ! pid_alive "$name" "$pattern"; then
        rm -f "$RUN_DIR/$name.pid"
        log "$name: not started by this script (or already stopped); left alone"
        return 0
    fi
    pid="$(cat "$RUN_DIR/$name.pid")"
    log "$name: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 5; i++)); do
        [ -e "/proc/$pid" ] || break
        sleep 0.2
    done
    if [ -e "/proc/$pid" ]; then
        log "$name: still running after ${grace}s, killing"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$RUN_DIR/$name.pid"
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
    local secs="$1" what="$2" i
    shift 2
    for ((i = 0; i < secs * 2; i++)); do
        "$@" && return 0
        sleep 0.5
    done
    log "timed out after ${secs}s waiting for $what"
    return 1
}

# ---------------------------------------------------------------- MariaDB

MY_DIR="$STATE_DIR/mariadb"
MY_CNF="$MY_DIR/my.cnf"
MY_SOCK="$MY_DIR/mysqld.sock"

mariadb_up() {
    command -v mariadb-admin >/dev/null 2>&1 || return 1
    mariadb-admin --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" \
        --connect-timeout=2 -u "$DB_USER" "-p$DB_PASSWORD" ping >/dev/null 2>&1
}

write_my_cnf() {
    cat >"$MY_CNF" <<EOF
# Written by scripts/services.sh: a test server, loopback only.
[mysqld]
user = mysql
datadir = $MY_DIR/data
socket = $MY_SOCK
pid-file = $MY_DIR/mysqld.pid
log-error = $MY_DIR/error.log
port = $MYSQL_PORT
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
default-time-zone = '+00:00'
max_allowed_packet = 64M
max_connections = 500
# Fail a statement stuck on a metadata lock instead of hanging for a day.
lock_wait_timeout = 120
innodb_buffer_pool_size = 256M
# A test server: durability traded for speed.
innodb_flush_log_at_trx_commit = 2
[client]
default-character-set = utf8mb4
socket = $MY_SOCK
EOF
}

# Ready, or dead (then the caller's pid check fails): stop waiting either way.
mariadb_started() {
    mariadb-admin --no-defaults --socket="$MY_SOCK" -u root ping >/dev/null 2>&1 ||
        ! pid_alive mariadb mariadbd
}

mariadb_admin_sql() { # run SQL on stdin as the server's root, over the socket
    local sock
    for sock in "$MY_SOCK" /run/mysqld/mysqld.sock; do
        if [ -S "$sock" ] && mariadb --no-defaults --socket="$sock" -u root -e 'SELECT 1' >/dev/null 2>&1; then
            mariadb --no-defaults --socket="$sock" -u root
            return
        fi
    done
    return 1
}

provision_mariadb() {
    local sql db
    # '%': any loopback address (127.0.0.1 or ::1); the server listens on loopback only.
    sql="CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`teamchat\\_%\`.* TO '$DB_USER'@'%';
GRANT ALL PRIVILEGES ON \`teamchat\\_%\`.* TO '$DB_USER'@'localhost';
DROP USER IF EXISTS ''@'localhost';
DROP USER IF EXISTS ''@'$(hostname)';"
    for db in $DATABASES; do
        sql="$sql
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    done
    if printf '%s\n' "$sql" | mariadb_admin_sql 2>/dev/null; then
        return 0
    fi
    # A server we do not manage: the teamchat user may create teamchat_* itself.
    sql=""
    for db in $DATABASES; do
        sql="$sql CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    done
    mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" \
        -u "$DB_USER" "-p$DB_PASSWORD" -e "$sql" ||
        die "MariaDB on 127.0.0.1:$MYSQL_PORT: cannot create user/databases (no root socket access, and user $DB_USER cannot log in)"
}

start_mariadb() {
    ensure_packages mariadb-server mariadb-client
    if mariadb_up; then
        log "mariadb: already up on 127.0.0.1:$MYSQL_PORT"
        provision_mariadb
        return 0
    fi
    if port_open "$MYSQL_PORT"; then
        # Something listens but the teamchat user cannot log in yet: maybe a
        # server we do not manage, or ours before its first provisioning.
        if pid_alive mariadb mariadbd || mariadb-admin --no-defaults --protocol=tcp -h 127.0.0.1 \
            -P "$MYSQL_PORT" --connect-timeout=2 ping >/dev/null 2>&1; then
            log "mariadb: a server is up on 127.0.0.1:$MYSQL_PORT; provisioning it"
            provision_mariadb
            mariadb_up || die "mariadb: user $DB_USER still cannot log in on 127.0.0.1:$MYSQL_PORT"
            return 0
        fi
        die "port $MYSQL_PORT is taken by something that is not MariaDB"
    fi
    mkdir -p "$MY_DIR"
    chown mysql:mysql "$MY_DIR"
    write_my_cnf
    if [ ! -d "$MY_DIR/data/mysql" ]; then
        log "mariadb: initialising data directory $MY_DIR/data"
        rm -rf "$MY_DIR/data"
        mariadb-install-db --defaults-file="$MY_CNF" --user=mysql --skip-test-db \
            --auth-root-authentication-method=socket >"$MY_DIR/install.log" 2>&1 ||
            {
                tail -n 30 "$MY_DIR/install.log" >&2
                die "mariadb-install-db failed"
            }
    fi
    log "mariadb: starting"
    : >"$MY_DIR/error.log"
    chown mysql:mysql "$MY_DIR/error.log"
    (
        close_fds
        exec setsid nohup mariadbd --defaults-file="$MY_CNF" >>"$MY_DIR/stdout.log" 2>&1 </dev/null
    ) &
    record_pid mariadb "$!"
    if ! wait_until "$START_TIMEOUT" "MariaDB" mariadb_started || ! pid_alive mariadb mariadbd; then
        tail -n 40 "$MY_DIR/error.log" >&2 || true
        die "MariaDB did not start (log: $MY_DIR/error.log)"
    fi
    provision_mariadb
    mariadb_up || die "mariadb: user $DB_USER cannot log in after provisioning"
    log "mariadb: up on 127.0.0.1:$MYSQL_PORT ($(mariadbd --version | awk '{print $3}'))"
    STARTED+=(mariadb)
}

# ---------------------------------------------------------------- Redis

REDIS_DIR="$STATE_DIR/redis"

redis_up() {
    command -v redis-cli >/dev/null 2>&1 || return 1
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

start_redis() {
    ensure_packages redis-server redis-tools
    if redis_up; then
        log "redis: already up on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that is not Redis"
    mkdir -p "$REDIS_DIR"
    chown redis:redis "$REDIS_DIR"
    rm -f "$REDIS_DIR/redis.pid"
    log "redis: starting"
    (
        close_fds
        exec runuser -u redis -- redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
            --protected-mode yes --daemonize yes --pidfile "$REDIS_DIR/redis.pid" \
            --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --save '' --appendonly no \
            </dev/null
    )
    if ! wait_until 30 "Redis" redis_up; then
        tail -n 40 "$REDIS_DIR/redis.log" >&2 || true
        die "Redis did not start (log: $REDIS_DIR/redis.log)"
    fi
    record_pid redis "$(cat "$REDIS_DIR/redis.pid")"
    log "redis: up on 127.0.0.1:$REDIS_PORT"
    STARTED+=(redis)
}

# ---------------------------------------------------------------- Elasticsearch

ES_STATE="$STATE_DIR/elasticsearch"
ES_URL="http://127.0.0.1:$ES_PORT"

es_up() {
    curl -fsS --max-time 5 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=2s" \
        2>/dev/null | grep -q '"status":"\(green\|yellow\)"'
}

java_home() {
    local h="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
    if [ -z "$h" ] || [ ! -x "$h/bin/java" ]; then
        h="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    fi
    printf '%s\n' "$h"
}

# Fetch (once) and unpack (once) the integ-test distribution; print its home.
es_home() {
    local ver zip home tmp
    mkdir -p "$CACHE_DIR"
    for ver in $ES_VERSIONS; do
        home="$CACHE_DIR/elasticsearch-$ver"
        if [ -x "$home/bin/elasticsearch" ]; then
            printf '%s\n' "$home"
            return 0
        fi
        zip="$CACHE_DIR/elasticsearch-$ver.zip"
        if [ ! -s "$zip" ]; then
            log "elasticsearch: fetching $ver from Maven Central"
            tmp="$(mktemp -d "$CACHE_DIR/dl.XXXXXX")"
            if mvn -q -B -Dmaven.repo.local="$CACHE_DIR/m2" dependency:copy \
                "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ver:zip" \
                -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
                mv "$tmp/elasticsearch-$ver.zip" "$zip"
                # The local-repository copy would only duplicate the cached zip.
                rm -rf "$CACHE_DIR/m2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ver"
                rm -rf "$tmp" "$tmp.log"
            else
                log "elasticsearch: $ver not available: $(grep -m1 ERROR "$tmp.log" || tail -n1 "$tmp.log")"
                rm -rf "$tmp" "$tmp.log"
                continue
            fi
        fi
        log "elasticsearch: unpacking $ver into $home"
        tmp="$(mktemp -d "$CACHE_DIR/unpack.XXXXXX")"
        unzip -q "$zip" -d "$tmp" || {
            rm -rf "$tmp"
            rm -f "$zip"
            die "corrupt download $zip (removed; run again)"
        }
        mv "$tmp/elasticsearch-$ver" "$home"
        rm -rf "$tmp"
        chmod -R a+rX "$home"
        printf '%s\n' "$home"
        return 0
    done
    die "no Elasticsearch integ-test distribution could be fetched (tried: $ES_VERSIONS)"
}

start_es() {
    ensure_packages curl unzip ca-certificates
    command -v java >/dev/null 2>&1 || ensure_packages openjdk-17-jre-headless
    command -v mvn >/dev/null 2>&1 || ensure_packages maven
    if es_up; then
        log "elasticsearch: already up on $ES_URL"
        return 0
    fi
    port_open "$ES_PORT" && die "port $ES_PORT is taken, but no healthy search node answers there"
    local home ver jh conf data logs
    home="$(es_home)"
    ver="${home##*/elasticsearch-}"
    jh="$(java_home)"
    id "$ES_USER" >/dev/null 2>&1 ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
    # Config (ES writes its keystore there), data, logs and tmp: per version,
    # owned by the service user. Data is scratch: wiped at every start.
    conf="$ES_STATE/$ver/config"
    data="$ES_STATE/$ver/data"
    logs="$ES_STATE/$ver/logs"
    rm -rf "${ES_STATE:?}/$ver"
    mkdir -p "$conf" "$data" "$logs" "$ES_STATE/$ver/tmp"
    cp -r "$home/config/." "$conf/"
    cat >"$conf/elasticsearch.yml" <<EOF
# Written by scripts/services.sh: a single test node on loopback.
cluster.name: teamchat-test
node.name: teamchat-test-node
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: 9300-9399
path.data: $data
path.logs: $logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
    chown -R "$ES_USER:" "$ES_STATE/$ver"
    log "elasticsearch: starting $ver (JDK: $jh, heap $ES_HEAP)"
    local rc=0
    (cd "$ES_STATE/$ver" && close_fds && exec timeout "$START_TIMEOUT" runuser -u "$ES_USER" -- env \
        ES_JAVA_HOME="$jh" JAVA_HOME="$jh" ES_PATH_CONF="$conf" \
        ES_TMPDIR="$ES_STATE/$ver/tmp" ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
        "$home/bin/elasticsearch" -d -p "$ES_STATE/$ver/es.pid" \
        >"$logs/startup.log" 2>&1 </dev/null) || rc=$?
    if [ -s "$ES_STATE/$ver/es.pid" ]; then
        record_pid es "$(cat "$ES_STATE/$ver/es.pid")"
    fi
    if [ "$rc" -ne 0 ] || ! wait_until "$START_TIMEOUT" "Elasticsearch health" es_up; then
        log "elasticsearch: failed to start (exit $rc); startup output and log tail:"
        tail -n 20 "$logs/startup.log" >&2 || true
        tail -n 40 "$logs/teamchat-test.log" >&2 || true
        pid_alive es org.elasticsearch && stop_pid es org.elasticsearch 20
        die "Elasticsearch $ver did not become healthy (logs: $logs)"
    fi
    log "elasticsearch: $ver up on $ES_URL"
    STARTED+=(es)
}

# ---------------------------------------------------------------- commands

cmd_start() {
    local started_file=""
    while [ $# -gt 0 ]; do
        case "$1" in
        --started-file)
            started_file="$2"
            shift 2
            ;;
        *) die "start: unknown option $1" ;;
        esac
    done
    need_root
    mkdir -p "$RUN_DIR" "${LOCK_FILE%/*}"
    exec 9>"$LOCK_FILE"
    if ! flock -w 900 9; then
        die "another 'services.sh start|stop' has held $LOCK_FILE for 15 minutes"
    fi
    # Each start_X appends to STARTED the services it launched itself.
    STARTED=()
    start_mariadb
    start_redis
    start_es
    if [ -n "$started_file" ]; then
        : >"$started_file"
        if [ ${#STARTED[@]} -gt 0 ]; then printf '%s\n' "${STARTED[@]}" >"$started_file"; fi
    fi
    log "all services up${STARTED[*]:+ (started now: ${STARTED[*]})}"
}

cmd_stop() {
    need_root
    mkdir -p "$RUN_DIR" "${LOCK_FILE%/*}"
    exec 9>"$LOCK_FILE"
    flock -w 900 9 || die "could not take $LOCK_FILE within 15 minutes"
    local names=("$@") n
    [ ${#names[@]} -gt 0 ] || names=(es redis mariadb)
    for n in "${names[@]}"; do
        case "$n" in
        mariadb) stop_pid mariadb mariadbd 60 ;;
        redis) stop_pid redis redis-server 20 ;;
        es) stop_pid es org.elasticsearch 60 ;;
        '') ;;
        *) die "stop: unknown service $n (mariadb, redis, es)" ;;
        esac
    done
}

owner() {
    if pid_alive "$1" "$2"; then echo " (started by services.sh, pid $(cat "$RUN_DIR/$1.pid"))"; fi
}

cmd_status() {
    local rc=0
    if mariadb_up; then echo "mariadb: up   127.0.0.1:$MYSQL_PORT$(owner mariadb mariadbd)"; else
        echo "mariadb: down"
        rc=1
    fi
    if redis_up; then echo "redis:   up   127.0.0.1:$REDIS_PORT$(owner redis redis-server)"; else
        echo "redis:   down"
        rc=1
    fi
    if es_up; then
        local ver
        ver="$(curl -fsS --max-time 5 "$ES_URL/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null |
            grep -o '"version":"[^"]*"' | head -n1 | cut -d'"' -f4)"
        echo "es:      up   $ES_URL (Elasticsearch ${ver:-?})$(owner es org.elasticsearch)"
    else
        echo "es:      down"
        rc=1
    fi
    return "$rc"
}

cmd_env() {
    local base="mysql+pymysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$MYSQL_PORT"
    cat <<EOF
export TEAMCHAT_TEST_MYSQL_DIRECTORY_URL='$base/teamchat_test_directory?charset=utf8mb4'
export TEAMCHAT_TEST_MYSQL_SHARD_URLS='$base/teamchat_test_shard0?charset=utf8mb4,$base/teamchat_test_shard1?charset=utf8mb4'
export TEAMCHAT_TEST_REDIS_URL='redis://127.0.0.1:$REDIS_PORT/0'
export TEAMCHAT_TEST_ES_URL='$ES_URL'
export TEAMCHAT_TEST_REQUIRE_SERVICES=1
EOF
}

case "${1:-}" in
start)
    shift
    cmd_start "$@"
    ;;
stop)
    shift
    cmd_stop "$@"
    ;;
status) cmd_status ;;
env) cmd_env ;;
*)
    echo "usage: $0 start [--started-file FILE] | stop [mariadb|redis|es ...] | status | env" >&2
    exit 2
    ;;
esac

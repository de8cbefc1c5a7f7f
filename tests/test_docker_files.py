"""docker/compose.yaml, docker/Dockerfile and .dockerignore against the code: every
TEAMCHAT_* variable is a real setting that parses, every command names a real entry
point, and the services are wired so that `docker compose up` can start in order.
Docker itself is not needed: this fails when the files drift from the code."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import fields
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml

from teamchat.cli import main as teamchat_cli
from teamchat.config import ENV_PREFIX, Settings

REPO = Path(__file__).resolve().parents[1]
DOCKER = REPO / "docker"
APP_SERVICES = ("migrate", "web", "worker", "beat")
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def interpolate(value: Any) -> str:
    """What compose makes of `${VAR:-default}` with nothing set: the default."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


def service_env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: interpolate(v) for k, v in env.items()}


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of docker/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DOCKER / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def instruction(name: str) -> list[str]:
    return [rest for word, rest in dockerfile() if word == name]


def test_every_teamchat_variable_is_a_setting_that_parses() -> None:
    known = {ENV_PREFIX + f.name.upper() for f in fields(Settings)}
    services = compose()["services"]
    image_env = {}
    for rest in instruction("ENV"):
        image_env.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    set_anywhere = {k for k in image_env if k.startswith(ENV_PREFIX)}
    for name in APP_SERVICES:
        env = {**image_env, **service_env(services[name])}
        teamchat_vars = {k: v for k, v in env.items() if k.startswith(ENV_PREFIX)}
        set_anywhere |= set(teamchat_vars)
        assert set(teamchat_vars) <= known, (name, sorted(set(teamchat_vars) - known))
        settings = Settings.from_env(teamchat_vars)
        assert settings.search_backend == "elasticsearch", name
        assert urlsplit(settings.elasticsearch_url).hostname == "elasticsearch"
        assert urlsplit(settings.redis_url).hostname == "redis"
        assert urlsplit(settings.broker_url).hostname == "redis"
        assert settings.host == "0.0.0.0"
        assert len(settings.shard_urls) == 2
        for url in [settings.directory_url, *settings.shard_urls]:
            parts = urlsplit(url)
            assert parts.scheme == "mysql+pymysql" and parts.hostname == "mariadb", url
            assert "charset=utf8mb4" in parts.query, url
    assert set_anywhere <= known, sorted(set_anywhere - known)
    # A typo in a setting name would be silently ignored by Settings.from_env.
    assert ENV_PREFIX + "SHARD_URLS" in set_anywhere


def test_the_init_script_creates_every_database_for_the_app_user() -> None:
    services = compose()["services"]
    sql = (DOCKER / "mariadb-init.sql").read_text()
    created = dict(
        re.findall(r"CREATE DATABASE IF NOT EXISTS (\w+) CHARACTER SET (\w+)", sql, re.I)
    )
    granted = set(re.findall(r"GRANT ALL PRIVILEGES ON (\w+)\.\* TO '(\w+)'@'%'", sql))
    db_env = service_env(services["mariadb"])
    settings = Settings.from_env(service_env(services["web"]))
    wanted = [urlsplit(u) for u in [settings.directory_url, *settings.shard_urls]]
    assert len({u.path for u in wanted}) == 3
    for url in wanted:
        name = url.path.lstrip("/")
        assert created.get(name) == "utf8mb4", (name, created)
        assert (name, db_env["MARIADB_USER"]) in granted
        assert (url.username, url.password) == (db_env["MARIADB_USER"], db_env["MARIADB_PASSWORD"])
    mounts = services["mariadb"]["volumes"]
    assert "./mariadb-init.sql:/docker-entrypoint-initdb.d/teamchat.sql:ro" in mounts


def test_teamchat_commands_exist() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["teamchat"] == "teamchat.cli:main"
    argv = compose()["services"]["migrate"]["command"]
    assert argv == ["teamchat", "db", "upgrade"]
    command: click.Command = teamchat_cli
    ctx = click.Context(teamchat_cli)
    for word in argv[1:]:
        assert isinstance(command, click.Group), (argv, word)
        found = command.get_command(ctx, word)
        assert found is not None, (argv, word)
        command = found
    assert not isinstance(command, click.Group)


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_commands_load_the_indexer_app(name: str, tmp_path: Path) -> None:
    argv = compose()["services"][name]["command"]
    assert argv[:4] == ["celery", "-A", "indexer.worker", name]
    assert entry_points(group="console_scripts", name="celery")
    # --help after the service's own options: celery loads the app named by -A (it
    # fails without a broker URL) and rejects any option the subcommand lacks.
    env = {
        **os.environ,
        "TEAMCHAT_BROKER_URL": "memory://",
        "TEAMCHAT_DATA_DIR": str(tmp_path),
        "TEAMCHAT_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "celery", *argv[1:], "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Usage: python -m celery {name}" in done.stdout


def test_gunicorn_command_names_the_config_and_the_app(tmp_path: Path) -> None:
    from teamchat import create_app

    web = compose()["services"]["web"]["command"]
    (cmd,) = instruction("CMD")
    assert json.loads(cmd) == web == ["gunicorn", "-c", "docker/gunicorn.conf.py", "wsgi:app"]
    assert entry_points(group="console_scripts", name="gunicorn")
    assert (REPO / web[2]).is_file()
    module, _, attr = web[3].partition(":")
    tree = ast.parse((REPO / f"{module}.py").read_text())
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert attr in assigned
    # The image's healthcheck asks for /healthz: the app serves it.
    (check,) = instruction("HEALTHCHECK")
    assert "/healthz" in check
    app = create_app(Settings(data_dir=str(tmp_path), start_background=False))
    try:
        assert "/healthz" in {rule.rule for rule in app.url_map.iter_rules()}
    finally:
        app.extensions["teamchat"].close()


def test_the_image() -> None:
    (base,) = instruction("FROM")
    assert base == "python:3.11-slim"
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")
    assert any("pip install ." in rest for rest in instruction("RUN"))
    ignored = [
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for must in (".venv", ".git", "teamchat-demo", "teamchat-data", "tests/artifacts"):
        assert must in ignored
    # Everything the image copies is in the repository and in the build context.
    for rest in instruction("COPY"):
        *sources, _ = rest.split()
        for source in sources:
            assert (REPO / source).exists(), source
            hit = [p for p in ignored if fnmatch.fnmatch(source, p.lstrip("/"))]
            assert not hit, (source, hit)


def test_services_start_in_order_and_only_web_is_published() -> None:
    spec = compose()
    services = spec["services"]
    assert set(services) >= {"mariadb", "redis", "elasticsearch", *APP_SERVICES}
    assert services["mariadb"]["image"].startswith("mariadb:11")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["elasticsearch"]["image"].rsplit(":", 1)[1].startswith("8.19.")
    es_env = service_env(services["elasticsearch"])
    assert es_env["discovery.type"] == "single-node"
    assert es_env["xpack.security.enabled"] == "false"
    for name, service in services.items():
        assert ("ports" in service) == (name == "web"), name
        for dep, rule in (service.get("depends_on") or {}).items():
            assert dep in services, (name, dep)
            if rule["condition"] == "service_healthy":
                # web's healthcheck comes from the image; the rest declare theirs.
                assert "test" in (services[dep].get("healthcheck") or {}), (name, dep)
            else:
                assert rule["condition"] == "service_completed_successfully"
                assert services[dep]["restart"] == "no"
        for mount in service.get("volumes") or []:
            source = mount.split(":", 1)[0]
            if not source.startswith("."):
                assert source in spec["volumes"], (name, source)
    for name in ("web", "worker", "beat"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert {"mariadb", "redis", "elasticsearch"} <= set(deps)
    assert services["migrate"]["depends_on"]["mariadb"]["condition"] == "service_healthy"

"""Sampling profiles of a running server process with py-spy, summarised as text.

py-spy is a benchmarking tool, not a project dependency: `pip install py-spy`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

# Frames by where their code lives, to say which layer the time goes to.
AREAS = (
    ("teamchat/", "teamchat (our code)"),
    ("search/", "search library (our code)"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("pymysql/", "PyMySQL"),
    ("redis/", "redis client"),
    ("kombu/", "Celery/kombu (enqueue)"),
    ("celery/", "Celery/kombu (enqueue)"),
    ("elasticsearch", "Elasticsearch client"),
    ("elastic_transport", "Elasticsearch client"),
    ("argon2", "argon2"),
    ("gunicorn/", "gunicorn"),
    ("flask/", "Flask/Werkzeug"),
    ("werkzeug/", "Flask/Werkzeug"),
    ("simple_websocket", "simple-websocket"),
    ("wsproto", "simple-websocket"),
    ("gevent", "gevent"),
    ("json/", "json"),
)


def available() -> bool:
    return shutil.which("py-spy") is not None


def record(pid: int, seconds: int, gil: bool = False, subprocesses: bool = False) -> Path | None:
    """Sample `pid` for `seconds` into collapsed stacks; None if py-spy is missing or fails.
    With `gil`, only the thread holding the GIL is sampled: Python's own CPU time."""
    if not available():
        return None
    out = Path(tempfile.mkstemp(prefix="bench-profile-", suffix=".txt")[1])
    cmd = ["py-spy", "record", "--format", "raw", "--rate", "200", "--nonblocking"]
    cmd += ["--duration", str(seconds), "--pid", str(pid), "--output", str(out)]
    if gil:
        cmd.append("--gil")
    if subprocesses:
        cmd.append("--subprocesses")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0 or out.stat().st_size == 0:
        print(f"(py-spy failed: {done.stderr.strip()[-300:]})")
        return None
    return out


def _stacks(path: Path) -> list[tuple[list[str], int]]:
    out = []
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            out.append((stack.split(";"), int(count)))
    return out


def _area(frame: str) -> str | None:
    for needle, name in AREAS:
        if needle in frame:
            return name
    return None


def _idle(frames: list[str]) -> bool:
    """Threads parked in a wait: py-spy --idle is off, but be sure nothing idle counts."""
    leaf = frames[-1] if frames else ""
    return any(w in leaf for w in ("wait (threading", "select (", "poll (", "_wait_for_tstate"))


def summary(path: Path, top: int = 15) -> list[str]:
    """Where the busy samples go: by area (inclusive of what it calls, outermost area
    that is not gunicorn/Flask) and the functions with the most samples of their own."""
    stacks = [(f, n) for f, n in _stacks(path) if not _idle(f)]
    total = sum(n for _, n in stacks) or 1
    by_area: Counter[str] = Counter()
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    for frames, n in stacks:
        # Attribute a sample to the innermost library area it is in (where time is
        # spent), falling back to our code.
        area = "other"
        for frame in reversed(frames):
            found = _area(frame)
            if found is not None:
                area = found
                break
        by_area[area] += n
        own[frames[-1]] += n
        seen = set()
        for frame in frames:
            if ("teamchat/" in frame or "search/" in frame) and frame not in seen:
                seen.add(frame)
                ours[frame] += n
    lines = [f"{total} busy samples", "", "Innermost library of each busy sample:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in by_area.most_common()]
    lines += ["", f"Our functions by inclusive samples (top {top}):"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in ours.most_common(top)]
    lines += ["", f"Leaf functions by own samples (top {top}):"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return lines

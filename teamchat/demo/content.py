"""The demo's people and conversation: a small team shipping release 2.4 of their
product. Written for the demo; every message is posted through the v1 API."""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD = "teamchat-demo"
WORKSPACE = "Northwind Demo"
# username, display name, role; the first one creates everything and is the admin.
PEOPLE = [
    ("maya", "Maya Okafor", "release manager, workspace admin"),
    ("priya", "Priya Natarajan", "backend"),
    ("sam", "Sam Becker", "QA"),
    ("jonas", "Jonas Lind", "ops"),
    ("nora", "Nora Castillo", "design"),
]
EVERYONE = [p[0] for p in PEOPLE]
# name, private, members
CHANNELS = [
    ("general", False, EVERYONE),
    ("release-2-4", False, EVERYONE),
    ("random", False, EVERYONE),
    ("incident-review", True, ["maya", "jonas", "priya"]),
]
# DMs by key: their members besides the first person.
GROUPS = {"dm-maya-priya": ["maya", "priya"], "group-notes": ["maya", "sam", "nora"]}


@dataclass(frozen=True)
class Line:
    key: str
    channel: str
    author: str
    text: str
    reply_to: str | None = None
    reactions: tuple[tuple[str, str], ...] = ()


def _line(
    key: str,
    channel: str,
    author: str,
    text: str,
    reply_to: str | None = None,
    *reactions: tuple[str, str],
) -> Line:
    return Line(key, channel, author, text, reply_to, reactions)


G, R, RND, INC = "general", "release-2-4", "random", "incident-review"
SCRIPT = [
    _line(
        "freeze",
        G,
        "maya",
        "Morning all! Reminder: the 2.4 code freeze is Thursday 17:00 UTC. "
        "Anything not merged by then rides the 2.5 train.",
        None,
        ("priya", "👍"),
        ("jonas", "👍"),
        ("sam", "👀"),
    ),
    _line(
        "onboarding",
        G,
        "nora",
        "The new onboarding screens are live on staging if anyone "
        "wants a first look: https://staging.northwind.example/onboarding",
    ),
    _line(
        "looks-great",
        G,
        "sam",
        "@nora they look great. The empty state on the projects page is so much friendlier now.",
        None,
        ("nora", "❤️"),
    ),
    _line(
        "db-refresh",
        G,
        "jonas",
        "Heads-up: the staging database gets its weekly refresh "
        "tonight at 22:00 UTC, expect about ten minutes of downtime.",
    ),
    _line(
        "lunch",
        G,
        "priya",
        "Lunch-and-learn on Friday: I'll walk through how the new search "
        "indexer batches its writes. Bring questions (and snacks).",
        None,
        ("maya", "🎉"),
        ("sam", "🙌"),
    ),
    _line(
        "notes",
        G,
        "maya",
        "@channel the release notes draft is up for review in the wiki. "
        "Please add anything user-facing you shipped this cycle.",
    ),
    _line(
        "kickoff",
        R,
        "maya",
        "Kicking off the 2.4 release thread. Scope: offline drafts, the "
        "new onboarding, faster search, and the CSV export fix.",
    ),
    _line(
        "checklist",
        R,
        "maya",
        "Today: 1) freeze the branch 2) cut rc1 3) run the full "
        "regression suite 4) overnight soak on staging.",
    ),
    _line(
        "branch",
        R,
        "priya",
        "Branch `release/2.4` is cut from main at 3f9c2e1. CI is green on all three platforms.",
        None,
        ("maya", "✅"),
        ("jonas", "🚀"),
    ),
    _line("regression", R, "sam", "Starting the regression run on rc1 now, results here."),
    _line(
        "failures",
        R,
        "sam",
        "First pass: 212 passed, 3 failed. Two are flaky timeouts in the "
        "export tests; one is real: offline drafts lose their title on reconnect.",
        None,
        ("priya", "👀"),
    ),
    _line(
        "repro", R, "priya", "@sam do you have steps to reproduce the draft title bug?", "failures"
    ),
    _line(
        "steps",
        R,
        "sam",
        "Go offline, create a draft with a title, edit the body, "
        "reconnect. The body syncs, the title goes back to 'Untitled'.",
        "failures",
    ),
    _line(
        "found",
        R,
        "priya",
        "Found it: the merge on reconnect only compares body timestamps. "
        "Small fix, PR in twenty minutes.",
        "failures",
        ("sam", "🙏"),
    ),
    _line(
        "pr",
        R,
        "priya",
        "PR #1482 is up with a regression test for the title: "
        "https://git.northwind.example/app/pull/1482",
        "failures",
    ),
    _line(
        "verified",
        R,
        "sam",
        "Verified on rc2: the title survives the reconnect now.",
        "failures",
        ("priya", "🎉"),
        ("maya", "🎉"),
    ),
    _line(
        "staging",
        R,
        "jonas",
        "rc2 is on staging. Dashboards for the soak: "
        "https://grafana.northwind.example/d/release-24",
    ),
    _line(
        "beta-label",
        R,
        "nora",
        "Small thing: the export button still says 'Download CSV "
        "(beta)'. We dropped the beta tag, right @maya?",
    ),
    _line("drop-beta", R, "maya", "@nora yes, drop it. @priya can you sneak that string into rc3?"),
    _line(
        "rc3", R, "priya", "Done, it's in rc3 together with the fix for the flaky export timeouts."
    ),
    _line(
        "soak",
        R,
        "jonas",
        "The overnight soak looked healthy: p95 API latency 180 ms, no error spikes, memory flat.",
        None,
        ("maya", "💯"),
        ("priya", "🔥"),
    ),
    _line(
        "signoff",
        R,
        "sam",
        "Full regression on rc3: 215 passed, 0 failed. QA signs off on 2.4.",
        None,
        ("maya", "🎉"),
        ("nora", "🎉"),
        ("priya", "🎉"),
        ("jonas", "🚀"),
    ),
    _line(
        "go-no-go",
        R,
        "maya",
        "Go/no-go at 15:00 UTC. Unless someone objects, we ship rc3 as 2.4.0.",
    ),
    _line(
        "ops-go",
        R,
        "jonas",
        "Ops is go. Rollback plan as usual: point the load balancer back at the 2.3 pool.",
        "go-no-go",
    ),
    _line(
        "design-go",
        R,
        "nora",
        "Design is go, the screenshots in the release notes are updated.",
        "go-no-go",
        ("maya", "👍"),
    ),
    _line(
        "rollout",
        R,
        "jonas",
        "2.4.0 is rolling out: 10% of traffic now, 50% at 16:00, 100% "
        "at 17:00 if the error rate stays flat.",
    ),
    _line(
        "shipped",
        R,
        "jonas",
        "100% of traffic is on 2.4.0.",
        None,
        ("maya", "🚀"),
        ("priya", "🚀"),
        ("sam", "🚀"),
        ("nora", "🚀"),
    ),
    _line(
        "wrap",
        R,
        "maya",
        "That's a wrap on 2.4. Thank you all! Retro on Monday: bring one "
        "thing that went well and one we should change.",
    ),
    _line(
        "plant",
        RND,
        "nora",
        "Who keeps leaving the office plant in the server room? It is thriving, to be fair.",
    ),
    _line(
        "cooling",
        RND,
        "jonas",
        "The plant is part of our cooling strategy now, please don't move it.",
        None,
        ("nora", "😂"),
        ("sam", "😂"),
    ),
    _line(
        "book",
        RND,
        "priya",
        "Book club pick for next month: 'The Soul of a New Machine'. Old but gold.",
    ),
    _line("book-in", RND, "sam", "@priya I'm in. Someone has to keep the hardware people honest."),
    _line(
        "postmortem",
        INC,
        "jonas",
        "The draft post-mortem for last week's search outage is in "
        "the doc. Root cause: the indexer's disk filled up and writes waited in the outbox.",
    ),
    _line(
        "nothing-lost",
        INC,
        "priya",
        "Nothing was lost at least: the outbox drained within minutes once the disk was cleared.",
    ),
    _line(
        "actions",
        INC,
        "maya",
        "Action items: a disk alert at 80% and a runbook entry for "
        "draining the outbox by hand. @jonas can you own the alert?",
    ),
    _line(
        "on-it",
        INC,
        "jonas",
        "On it, the alert rule will be reviewed by Wednesday.",
        None,
        ("maya", "🙏"),
    ),
    _line(
        "thanks", "dm-maya-priya", "maya", "Thanks for turning the draft fix around so fast today."
    ),
    _line("welcome", "dm-maya-priya", "priya", "Happy to! It was a fun one to chase down."),
    _line(
        "theme",
        "group-notes",
        "nora",
        "Quick one on the release notes screenshots: light or dark theme?",
    ),
    _line("light", "group-notes", "sam", "Light, the dark ones wash out on the docs site."),
]
FINAL = _line("agree", "group-notes", "maya", "Agreed with Sam, light it is.")
# Who has read how far (a message key; None: everything), so counts show up.
READS = [
    ("sam", G, "db-refresh"),
    ("sam", R, "staging"),
    ("priya", G, None),
    ("priya", R, "signoff"),
    ("jonas", G, None),
    ("jonas", R, None),
    ("jonas", RND, None),
    ("nora", R, None),
    ("maya", G, None),
    ("maya", R, None),
    ("maya", INC, None),
]

"""Arrows point down: an app imports only apps below it.

The order, lowest first (what exists today, read from the imports; a new app takes its place here):

    lib            shared plumbing, imports no app
    history        the audit trail every write records into
    orgs           units, people, roles, Access (the one place permission is decided)
    campaigns      campaign, categories, phases, rules
    audit          the audit log of every access, the evidence chain and its verification
    ledger         items, progress, lights
    reporting      periods, unit reports, completeness
    notices        reminders, channels, the bell (reads reporting's periods)
    sheets         Excel in and out (will write reports: above reporting)
    people         demands, ratings, the public page, Open311
    acceptance     acceptance, closing, reopening, look-backs: an item's life after "completed"
    supervision    supervision notices
    dashboards     read-only views over everything below

A higher app hands facts down as arguments or registers a provider when it loads
(``acceptance`` registers how ``people`` reads whether an item passed acceptance).

Checked: every module of an app, parsed with ``ast`` (imports inside functions count too),
except its ``tests`` (a test may build a scene from any app) and ``migrations`` (they name
models by string). Templates are checked for ``{% include %}``/``{% extends %}`` of a higher
app's template. Known violations are listed below with the reason; remove a line when the
code is fixed — a listed exception that no longer happens fails too, so the list stays true.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the taizhang package

ORDER = [
    "lib",
    "history",
    "orgs",
    "campaigns",
    "signon",  # directory sign-in (LDAP, OIDC), group rules and the second factor; makes people and grants
    "audit",  # the audit log and the evidence chain the apps above append to
    "ledger",
    "reporting",
    "notices",
    "sheets",
    "people",
    "acceptance",
    "study",
    "supervision",  # the responsibility grid, leaders' visits, instructions, chase-up notices
    "inspections",  # inspection teams, findings and their rectification
    "meetings",  # meetings whose agenda is built from the ledger, findings and instructions
    "dashboards",
    "bulletins",  # publishes the dashboards' figures (ranking, lights) frozen in an issue
    "assessment",  # scores units from the facts of every app below it
    "api",  # /api/v1/: reads through the apps' queries, writes through their actions; imported by none
    # Above every domain app, imported by none: they build data across all of them.
    "demo",
    "bench",
]
RANK = {app: n for n, app in enumerate(ORDER)}

# (file relative to taizhang/, the higher app it imports): why it is still there.
EXCEPTIONS = {
    # Saving new rules regenerates periods and relights items: campaigns should announce the change instead.
    ("campaigns/actions.py", "ledger"): "rules change relights items",
    ("campaigns/actions.py", "reporting"): "rules change regenerates periods",
    # The rules page counts items by light to show what new thresholds would change.
    ("campaigns/views.py", "ledger"): "rules page previews lights",
    # Templates: the campaign's home page shows its latest items with their light badge.
    ("campaigns/templates/campaigns/campaign_home.html", "ledger"): "home page shows items with the ledger's light",
    # Templates: the item page shows the panels of the apps above the ledger.
    ("ledger/templates/ledger/item_detail.html", "people"): "item page includes the people's panel",
    ("ledger/templates/ledger/item_detail.html", "acceptance"): "item page includes the acceptance panel",
    # The unit page (orgs, no campaign) shows the open inspection findings on the unit as a whole.
    ("orgs/templates/orgs/unit_detail.html", "inspections"): "unit page includes the inspections' panel",
    ("ledger/templates/ledger/item_detail.html", "supervision"): "item page includes the instructions panel",
    ("people/templates/people/demand_list.html", "acceptance"): "the office's problem list shows look-backs due",
}

TEMPLATE_TAG = re.compile(r"{%\s*(?:include|extends)\s+[\"']([a-z_]+)/")


def _app_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 and parts[0] in RANK else None


def _skipped(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or "migrations" in parts


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "taizhang":  # from taizhang import people
                names = [f"taizhang.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "taizhang" and parts[1] in RANK:
                found.add(parts[1])
    return found


def _included_apps(path: Path) -> set[str]:
    return {app for app in TEMPLATE_TAG.findall(path.read_text(encoding="utf-8")) if app in RANK}


def upward_arrows() -> dict[tuple[str, str], str]:
    """(file, higher app) for every import or include that points up."""
    arrows = {}
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html") or _skipped(path):
            continue
        app = _app_of(path)
        if app is None:
            continue
        targets = _imported_apps(path) if path.suffix == ".py" else _included_apps(path)
        for target in targets:
            if RANK[target] > RANK[app]:
                arrows[(str(path.relative_to(ROOT)), target)] = f"{app} → {target}"
    return arrows


def test_every_app_is_placed_in_the_order():
    apps = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or (p / "models.py").exists()}
    assert apps - set(RANK) == set(), "place the new app in ORDER (taizhang/tests/test_layers.py)"


def test_the_lowest_app_imports_no_app():
    for path in (ROOT / "lib").rglob("*.py"):
        if not _skipped(path):
            assert _imported_apps(path) - {"lib"} == set(), path


def test_no_app_imports_an_app_above_it():
    new = {arrow: what for arrow, what in upward_arrows().items() if arrow not in EXCEPTIONS}
    assert new == {}, "a lower app imports a higher one; pass the fact down or register a provider"


def test_every_listed_exception_still_happens():
    stale = set(EXCEPTIONS) - set(upward_arrows())
    assert stale == set(), "these arrows are fixed: remove them from EXCEPTIONS"


def test_people_never_imports_acceptance_and_the_ledger_neither():
    arrows = upward_arrows()
    assert not [a for a in arrows if a[0].startswith("people/") and a[1] == "acceptance" and a[0].endswith(".py")]
    assert not [
        a for a in arrows if a[0].startswith("ledger/") and a[1] in ("people", "acceptance") and a[0].endswith(".py")
    ]


def test_the_checker_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from taizhang.acceptance import actions\n    import taizhang.people.models\n")
    assert _imported_apps(module) == {"acceptance", "people"}
    template = tmp_path / "t.html"
    template.write_text('{% include "acceptance/_item_panel.html" %}{% extends "base.html" %}')
    assert _included_apps(template) == {"acceptance"}

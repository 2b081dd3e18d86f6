"""Print the Mermaid diagram of docs/architecture.md from the real import graph (grimp, the library
under import-linter): one box per room, an arrow wherever a module in one room imports one in
another. tests/test_architecture.py checks the document shows what this prints.

    .venv/bin/python scripts/architecture_diagram.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's tracker, whatever is installed

BLUEPRINTS = ("auth", "resident", "staff", "tutor", "provider", "admin", "public")
ROOMS = {
    "commands": "commands<br>cli, demo, migrate",
    "blueprints": "blueprints, one per audience<br>auth · resident · staff · tutor · provider · admin · public<br>(they never import each other)",
    "web": "web<br>session, roles, guard, errors, forms, htmx, i18n, templating, wording, pagecache, …",
    "domain.consent": "domain.consent<br>decision, access_log, changes, notices, switches, caseload, …",
    "domain": "domain<br>plan, accounts, setup_codes, catalogue, data_rights, partnership, throttle, …",
    "models": "models",
    "database": "database",
    "clock": "clock",
}


def room_of(module: str) -> str | None:
    parts = module.split(".")[1:]
    if not parts:
        return None  # tracker/__init__: the app factory, which wires every room together
    if parts[0] in BLUEPRINTS:
        return "blueprints"
    if parts[0] == "domain":
        return "domain.consent" if parts[1:2] == ["consent"] else "domain"
    return parts[0] if parts[0] in ROOMS else None


def diagram() -> str:
    graph = grimp.build_graph("tracker")
    arrows = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = room_of(importer), room_of(imported)
            if a and b and a != b:
                arrows.add((a, b))
    ids = {room: room.replace(".", "_") for room in ROOMS}
    lines = ["flowchart TD"]
    lines += [f"  {ids[r]}[\"{label}\"]" for r, label in ROOMS.items()]
    order = list(ROOMS)
    for a, b in sorted(arrows, key=lambda ab: (order.index(ab[0]), order.index(ab[1]))):
        lines.append(f"  {ids[a]} --> {ids[b]}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(diagram())

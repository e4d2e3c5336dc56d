"""Every row lock names what it locks: ``select_for_update(of=("self",))``.

Without ``of``, PostgreSQL locks every row of every table joined by ``select_related`` (the member's
user, its organisation), and two unrelated workflows then wait on each other.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".tools", "tests", "node_modules", "bench"}


def _project_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def _locks_without_of(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
            and not any(keyword.arg == "of" for keyword in node.keywords)
        ):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_a_lock_without_of():
    assert _locks_without_of("Member.objects.select_for_update().get(pk=1)") == [1]
    assert _locks_without_of('Member.objects.select_for_update(of=("self",)).get(pk=1)') == []


def test_every_lock_names_what_it_locks():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _project_files()
        for line in _locks_without_of(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

"""One name for hardship aid in code (docs/conventions.md, "Names"): ``assistance`` is the room (the
package, the app label and what derives from it), ``aid`` the domain noun of every name given inside."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".tools", "node_modules", "migrations", ".git", "static", "media"}


def _python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP & set(path.relative_to(ROOT).parts):
            yield path


def _given_names(tree: ast.AST):
    """Names a developer gives: classes, functions, arguments, variables, attributes assigned."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno
        elif isinstance(node, ast.arg):
            yield node.arg, node.lineno
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id, node.lineno
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            yield node.attr, node.lineno


def test_no_given_name_uses_the_app_label_as_a_word_of_the_domain():
    wrong = []
    for path in _python_files():
        for name, line in _given_names(ast.parse(path.read_text(encoding="utf-8"))):
            if "assistance" in name.lower() and name != "AssistanceConfig":
                wrong.append(f"{path.relative_to(ROOT)}:{line} {name}")
    assert wrong == []


def test_no_module_path_says_aid():
    wrong = [
        str(path.relative_to(ROOT))
        for path in _python_files()
        if any(re.fullmatch(r"aids?(_.*)?(\.py)?", part) for part in path.relative_to(ROOT).parts)
    ]
    assert wrong == []


def test_settings_events_and_routes_of_hardship_aid_say_aid():
    from assistance import urls
    from assistance.api import ROUTES
    from assistance.services import STEP_EVENTS

    assert [name for name in dir(settings) if "ASSISTANCE" in name] == []
    assert {name for name in dir(settings) if name.startswith("AID_")} >= {
        "AID_DOCUMENT_MAX_BYTES",
        "AID_RECHECK_NOTICE_DAYS",
        "AID_WAITING_WORKING_DAYS",
    }
    assert {event.split(".")[0] for event in STEP_EVENTS.values()} == {"aid"}
    assert (urls.app_name, urls.PORTAL_PREFIX) == ("aid", "aid/")
    assert {prefix.split("/")[0] for prefix, _viewset, _basename in ROUTES} == {"aid"}
    assert reverse("v1:aid-figures") == "/api/v1/aid/figures/"

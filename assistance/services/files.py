"""Hardship files: opening, updating, the annual re-check, exit and closing; the household's figures;
visits to the family."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus
from union_portal.core.permissions import require_perm, require_visible

from ..models import (
    ZERO,
    Cause,
    FileStatus,
    HardshipFile,
    HardshipLevel,
    Health,
    HouseholdMember,
    Relation,
    Visit,
    WorkStatus,
)
from .common import CENT, _invalid, _money, _text

# --- hardship files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFigures:
    size: int
    income: Decimal
    per_head: Decimal


def household_figures(rows: Iterable) -> HouseholdFigures:
    """Monthly household income and income per head (rounded to the fen) of household rows or dicts."""
    incomes = [Decimal(str(r["monthly_income"] if isinstance(r, dict) else r.monthly_income)) for r in rows]
    total = sum(incomes, ZERO).quantize(CENT)
    per_head = (total / len(incomes)).quantize(CENT, rounding=ROUND_HALF_UP) if incomes else ZERO
    return HouseholdFigures(size=len(incomes), income=total, per_head=per_head)


def clean_causes(causes) -> list[str]:
    """Causes of hardship as a sorted list of known codes, at least one."""
    if isinstance(causes, str):
        causes = [c.strip() for c in causes.replace("，", ",").split(",")]
    values = sorted({c for c in (causes or []) if c})
    unknown = [c for c in values if c not in Cause.values]
    if unknown:
        raise _invalid(_("Unknown cause: %(c)s") % {"c": ", ".join(unknown)}, "causes")
    if not values:
        raise _invalid(_("Choose at least one cause of hardship."), "causes", "required")
    return values


def clean_household_row(row: dict) -> dict:
    name = _text(row.get("name"), "household", limit=50)
    if row.get("relation") not in Relation.values:
        raise _invalid(_("Choose the relation of %(name)s.") % {"name": name}, "household")
    try:
        age = int(row.get("age"))
    except (TypeError, ValueError):
        raise _invalid(_("Enter the age of %(name)s.") % {"name": name}, "household") from None
    if not 0 <= age <= 130:
        raise _invalid(_("Enter the age of %(name)s.") % {"name": name}, "household")
    health = row.get("health") or Health.HEALTHY
    work = row.get("work") or WorkStatus.EMPLOYED
    if health not in Health.values or work not in WorkStatus.values:
        raise _invalid(_("Unknown health or work status for %(name)s.") % {"name": name}, "household")
    return {
        "name": name,
        "relation": row["relation"],
        "age": age,
        "health": health,
        "work": work,
        "monthly_income": _money(row.get("monthly_income") or 0, "household"),
    }


def _store_figures(file: HardshipFile, figures: HouseholdFigures) -> None:
    file.household_size, file.household_income, file.income_per_head = (
        figures.size,
        figures.income,
        figures.per_head,
    )


@transaction.atomic
def hardship_file_open(
    *,
    member: Member,
    by,
    level: str,
    causes,
    household: list[dict],
    next_recheck_on: dt.date | None = None,
    centre=None,
    notes: str = "",
) -> HardshipFile:
    """Open a hardship file for a member with their household; the first re-check is due in a year."""
    require_perm(by, "assistance.add_hardshipfile")
    require_visible(by, member)
    if member.status != MemberStatus.ACTIVE:
        raise _invalid(_("Hardship files are kept for active members."), "member", "not_active")
    if level not in HardshipLevel.values:
        raise _invalid(_("Choose the hardship level."), "level", "required")
    rows = [clean_household_row(r) for r in household]
    if not rows:
        raise _invalid(_("Enter the household, the member included."), "household", "required")
    today = timezone.localdate()
    file = HardshipFile(
        member=member,
        centre=centre,
        level=level,
        causes=clean_causes(causes),
        opened_on=today,
        next_recheck_on=next_recheck_on or _one_year_after(today),
        notes=_text(notes, "notes", required=False, limit=None, multiline=True),
        opened_by=by,
    )
    _store_figures(file, household_figures(rows))
    if HardshipFile.objects.active().filter(member=member).exists():
        raise _invalid(_("This member already has an active hardship file."), "member", "duplicate")
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError:
        raise _invalid(_("This member already has an active hardship file."), "member", "duplicate") from None
    HouseholdMember.objects.bulk_create([HouseholdMember(file=file, **r) for r in rows])
    return file


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _lock_file(file: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.select_for_update(of=("self",)).get(pk=file.pk)


@transaction.atomic
def hardship_file_update(*, file: HardshipFile, by, data: dict) -> HardshipFile:
    """Change level, causes, centre, re-check date or notes of an active file."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    allowed = {"level", "causes", "centre", "next_recheck_on", "notes"}
    unknown = set(data) - allowed
    if unknown:
        raise _invalid(
            _("These fields change through their own steps: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    file = _lock_file(file)
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file can be changed."), code="not_active")
    if "level" in data and data["level"] not in HardshipLevel.values:
        raise _invalid(_("Choose the hardship level."), "level", "required")
    if "causes" in data:
        data = {**data, "causes": clean_causes(data["causes"])}
    if "notes" in data:
        data = {**data, "notes": _text(data["notes"], "notes", required=False, limit=None, multiline=True)}
    for key, value in data.items():
        setattr(file, key, value)
    file.save()
    return file


@transaction.atomic
def hardship_file_recompute(*, file: HardshipFile, by) -> HardshipFile:
    """Recompute the income per head after the household rows changed (the admin's inline)."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    file = _lock_file(file)
    _store_figures(file, household_figures(file.household.all()))
    file.save(update_fields=["household_size", "household_income", "income_per_head", "updated_at"])
    return file


@transaction.atomic
def hardship_file_recheck(
    *, file: HardshipFile, by, note: str = "", next_recheck_on: dt.date | None = None
) -> HardshipFile:
    """Record the annual re-check: the family is still in hardship; the next one is due in a year."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    file = _lock_file(file)
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file is re-checked."), code="not_active")
    today = timezone.localdate()
    if next_recheck_on is not None and next_recheck_on <= today:
        raise _invalid(_("The next re-check must be in the future."), "next_recheck_on")
    file.last_checked_on = today
    file.next_recheck_on = next_recheck_on or _one_year_after(today)
    file._change_reason = note[:100]
    file.save(update_fields=["last_checked_on", "next_recheck_on", "updated_at"])
    return file


@transaction.atomic
def hardship_file_exit(*, file: HardshipFile, by, reason: str, on: dt.date | None = None) -> HardshipFile:
    """The family is out of hardship (解困脱困): the file stops being active, with the date and reason."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    reason = _text(reason, "reason", multiline=True)
    file = _lock_file(file)
    if file.status == FileStatus.OUT:
        return file
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file can be marked out of hardship."), code="not_active")
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < file.opened_on:
        raise _invalid(_("The date must lie between the opening of the file and today."), "on")
    file.status, file.exited_on, file.exit_reason = FileStatus.OUT, on, reason
    file.save(update_fields=["status", "exited_on", "exit_reason", "updated_at"])
    return file


@transaction.atomic
def hardship_file_close(*, file: HardshipFile, by, reason: str) -> HardshipFile:
    """Close a file for another reason (moved away, died, left the union)."""
    require_perm(by, "assistance.change_hardshipfile")
    require_visible(by, file)
    reason = _text(reason, "reason", multiline=True)
    file = _lock_file(file)
    if file.status == FileStatus.CLOSED:
        return file
    if file.status != FileStatus.ACTIVE:
        raise _invalid(_("Only an active file can be closed."), code="not_active")
    file.status, file.closed_on, file.exit_reason = FileStatus.CLOSED, timezone.localdate(), reason
    file.save(update_fields=["status", "closed_on", "exit_reason", "updated_at"])
    return file


def _visit_fields(*, visited_on: dt.date, visitors: str, gift_value, notes: str) -> dict:
    """One rule for a visit, recorded or corrected: not in the future, the visitors named."""
    if visited_on > timezone.localdate():
        raise _invalid(_("The date cannot be in the future."), "visited_on")
    return {
        "visited_on": visited_on,
        "visitors": _text(visitors, "visitors", limit=200),
        "gift_value": _money(gift_value, "gift_value"),
        "notes": _text(notes, "notes", required=False, limit=None, multiline=True),
    }


def visit_record(
    *, file: HardshipFile, by, visited_on: dt.date, visitors: str, gift_value=0, notes: str = ""
) -> Visit:
    require_perm(by, "assistance.add_visit")
    require_visible(by, file)
    fields = _visit_fields(visited_on=visited_on, visitors=visitors, gift_value=gift_value, notes=notes)
    return Visit.objects.create(file=file, recorded_by=by, **fields)


@transaction.atomic
def visit_update(
    *, visit: Visit, by, visited_on: dt.date, visitors: str, gift_value=0, notes: str = ""
) -> Visit:
    """Correct a recorded visit under the same rules as recording it; the history keeps the old one."""
    require_perm(by, "assistance.change_visit")
    require_visible(by, visit.file)
    fields = _visit_fields(visited_on=visited_on, visitors=visitors, gift_value=gift_value, notes=notes)
    visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.save(update_fields=list(fields))
    return visit

"""The member export: Chinese headers, the words of the import, ID numbers and mobiles masked unless
the caller asked for them in full (and checked ``members.export_unmasked_member``, and logged it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from union_portal.core.masking import mask_id_number, mask_phone

from ..models import Member, MemberStatus
from .vocabulary import HOUSEHOLD_LABELS, MEMBER_EXPORT, SEX_LABELS, SKILL_LABELS


def export_rows(members: Iterable[Member], *, masked: bool = True) -> Iterator[list]:
    """The header, then one row per member (``members`` with ``union`` and ``employer`` selected).
    Cells are plain values: the spreadsheet writers escape them (``union_portal.core.spreadsheets``)."""
    status_labels = {code: str(label) for code, label in MemberStatus.choices}
    yield list(MEMBER_EXPORT)
    for m in members:
        id_number, mobile = (
            (mask_id_number(m.id_number), mask_phone(m.mobile)) if masked else (m.id_number, m.mobile)
        )
        yield [
            m.name, id_number, mobile, SEX_LABELS.get(m.sex, ""), m.birth_date.isoformat() if m.birth_date else "",
            m.union.name if m.union_id else "", m.employer.name if m.employer_id else "", m.job,
            SKILL_LABELS.get(m.skill_grade, m.skill_grade), HOUSEHOLD_LABELS.get(m.household_type, m.household_type),
            "是" if m.is_migrant_worker else "否", m.card_number or "",
            m.join_date.isoformat() if m.join_date else "", status_labels.get(m.status, m.status),
        ]  # fmt: skip

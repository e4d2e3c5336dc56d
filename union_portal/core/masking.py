"""How personal data is shown to someone without the right to see it whole."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``440524199001010014`` becomes ``440524********0014``."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` becomes ``138****5678``."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """``张三明`` becomes ``张*明``; ``张三`` becomes ``张*``."""
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_text(value: str | None, keep: int = 0) -> str:
    if not value:
        return ""
    return value[:keep] + "*" * max(len(value) - keep, 3)

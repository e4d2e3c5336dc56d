"""System checks: a malformed key stops the process at start, not at the first member read."""

from __future__ import annotations

from django.core.checks import Error, register


@register("security", deploy=False)
def encryption_keys_check(app_configs=None, **kwargs):
    from django.conf import settings

    from .crypto import _fernet

    errors = []
    try:
        _fernet.cache_clear()
        _fernet()
    except Exception as exc:  # noqa: BLE001 - any failure means the keys are unusable
        errors.append(
            Error(
                f"FIELD_ENCRYPTION_KEY is not a list of valid Fernet keys: {exc}",
                hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="core.E001",
            )
        )
    if len(settings.BLIND_INDEX_KEY or "") < 16:
        errors.append(
            Error("BLIND_INDEX_KEY must be a random secret of at least 16 characters.", id="core.E002")
        )
    return errors


@register("security", deploy=False)
def key_canary_check(app_configs=None, **kwargs):
    """At start: the configured keys must read the key canary stored in the database (issue 18.8)."""
    from .keycheck import key_check, key_check_reset

    key_check_reset()
    if key_check() == "mismatch":
        return [
            Error(
                "No key in FIELD_ENCRYPTION_KEY decrypts the key canary stored in the database: the data "
                "was written with another key.",
                hint="Set FIELD_ENCRYPTION_KEY to the key(s) the data was written with (newest first). "
                "The server answers 503 and writes nothing until then.",
                id="core.E003",
            )
        ]
    return []

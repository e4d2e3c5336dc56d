"""Encryption of personal data at rest, and blind indexes for finding it.

An :class:`EncryptedTextField` stores Fernet ciphertext (MultiFernet over the
keys in ``FIELD_ENCRYPTION_KEY``, newest first, so old rows stay readable
while ``manage.py rotate_keys`` re-encrypts them). Equality search and
uniqueness go through a separate column holding :func:`blind_index`, a keyed
HMAC of the normalised value. A value that no configured key decrypts raises
:class:`DecryptionError`: a wrong key never passes ciphertext off as data.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.signals import setting_changed
from django.db import models


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


def _keys() -> list[Fernet]:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if isinstance(keys, str):
        keys = [keys]
    return [Fernet(key.encode() if isinstance(key, str) else key) for key in keys]


@functools.cache
def _fernet() -> MultiFernet:
    return MultiFernet(_keys())


@functools.cache
def _newest_fernet() -> Fernet:
    return _keys()[0]


@functools.cache
def _index_key() -> bytes:
    return settings.BLIND_INDEX_KEY.encode()


def _reset(**kwargs):
    if kwargs.get("setting") in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        _fernet.cache_clear()
        _newest_fernet.cache_clear()
        _index_key.cache_clear()


setting_changed.connect(_reset)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("Stored personal data cannot be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("Stored personal data cannot be decrypted with the configured keys.") from None


def is_current(token: str) -> bool:
    """Whether a token is encrypted under the newest key (the first of ``FIELD_ENCRYPTION_KEYS``)."""
    try:
        _newest_fernet().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str | None) -> str | None:
    """A keyed HMAC-SHA256 of a normalised value: equal inputs give equal indexes."""
    if not value:
        return None
    return hmac.new(_index_key(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose stored value is Fernet ciphertext. Not searchable: pair it with a blind index."""

    description = "Encrypted text"
    #: Refuse to write while the configured keys cannot read the key canary (issue 18.8).
    checks_keys = True

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if self.checks_keys:
            from .keycheck import require_matching_keys

            require_matching_keys()
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise TypeError(f"Encrypted fields cannot be searched with '{lookup_name}': use the blind index.")
        return super().get_lookup(lookup_name)


class KeyCanaryField(EncryptedTextField):
    """The canary itself: written when it is made, before any verdict on the keys exists."""

    checks_keys = False


#: The blind index of an encrypted field ``x`` is the column ``x_hash`` of the same model, if there is one.
BLIND_INDEX_SUFFIX = "_hash"


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete model with encrypted columns, historical models included, and those columns."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def blind_index_field(model: type[models.Model], field: EncryptedTextField) -> models.Field | None:
    """The column holding the blind index of ``field`` (``<name>_hash``), or ``None``."""
    try:
        return model._meta.get_field(field.name + BLIND_INDEX_SUFFIX)
    except FieldDoesNotExist:
        return None

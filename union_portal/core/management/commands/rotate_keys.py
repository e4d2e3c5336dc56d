"""Re-encrypt personal data under the newest key; optionally recompute the blind indexes.

Key rotation, step by step (docs/security.md has the full procedure):

1. Put the new Fernet key first: ``FIELD_ENCRYPTION_KEY=<new>,<old>``, and restart every process
   (web, workers, beat). New rows are written with the new key; old rows still decrypt.
2. ``manage.py rotate_keys``: every ``EncryptedTextField`` of every model, historical models
   included, is re-encrypted under the new key, in batches.
3. ``manage.py rotate_keys --check`` reports nothing stale; then drop the old key and restart.

Rows are written with ``QuerySet.update`` (through ``bulk_update``), which sends no ``post_save``:
django-simple-history records nothing. That is intended. A rotation changes how a value is
stored, not the value; a history row per member per rotation would claim a change that nobody
made (with no user), and would copy the ciphertext once more. The historical rows themselves
are re-encrypted in place, so that old versions stay readable once the old key is gone.
``updated_at`` (``auto_now``) is not touched either, for the same reason.

``--blind-index`` recomputes ``<field>_hash`` from the decrypted value with the current
``BLIND_INDEX_KEY``. It needs no old key: the index is derived from the plaintext, which the
encryption keys give us. But between switching ``BLIND_INDEX_KEY`` and the end of this command,
lookups (duplicate checks!) compare new hashes with old ones, so run it with the web and the
workers stopped.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.functions import Cast

from union_portal.core.crypto import (
    DecryptionError,
    blind_index,
    blind_index_field,
    decrypt,
    encrypted_fields,
    is_current,
    rotate,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (historical models included) under the newest key of "
        "FIELD_ENCRYPTION_KEY; with --blind-index, also recompute the blind indexes with BLIND_INDEX_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument(
            "--blind-index",
            action="store_true",
            help="Also recompute each <field>_hash column from the decrypted value with the current BLIND_INDEX_KEY.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: count values not under the newest key (and, with --blind-index, stale "
            "indexes); exit with status 1 if there are any.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, batch_size: int, blind_index: bool, check: bool, database: str, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        stale_total = 0
        for model, fields in encrypted_fields():
            for field in fields:
                index = blind_index_field(model, field) if blind_index else None
                rotated, reindexed, current = self._process(model, field, index, batch_size, database, check)
                stale_total += rotated + reindexed
                verb = "stale" if check else "re-encrypted"
                line = f"{model._meta.label}.{field.name}: {rotated} {verb}, {current} already current"
                if index is not None:
                    line += f", {reindexed} blind indexes {'stale' if check else 'recomputed'}"
                self.stdout.write(line)
        if check and stale_total:
            raise CommandError(f"{stale_total} values are not under the newest keys: run rotate_keys.")
        self.stdout.write(self.style.SUCCESS("Nothing stale." if check else "Key rotation done."))

    def _process(self, model, field, index, batch_size, database, check) -> tuple[int, int, int]:
        """Walk ``model`` in pk order, one transaction per batch; return (rotated, reindexed, current)."""
        pk_name = model._meta.pk.attname
        raw = f"_raw_{field.attname}"
        columns = [pk_name, raw] + ([index.attname] if index is not None else [])
        rotated = reindexed = current = 0
        last_pk = None
        while True:
            with transaction.atomic(using=database):
                queryset = model._base_manager.using(database).order_by(pk_name)
                if not check:
                    # Lock the batch: a row changed by the application between our read and our
                    # write would otherwise be overwritten with its old value.
                    queryset = queryset.select_for_update(of=("self",))
                if last_pk is not None:
                    queryset = queryset.filter(pk__gt=last_pk)
                # Read the stored ciphertext itself (a Cast has no decrypting converter).
                rows = list(
                    queryset.annotate(**{raw: Cast(field.attname, models.TextField())}).values_list(*columns)[
                        :batch_size
                    ]
                )
                if not rows:
                    return rotated, reindexed, current
                last_pk = rows[-1][0]
                changed = []
                for row in rows:
                    pk, token = row[0], row[1]
                    if token is None or token == "":
                        continue
                    update = {}
                    try:
                        if is_current(token):
                            current += 1
                        else:
                            update[field.attname] = models.Value(
                                rotate(token), output_field=models.TextField()
                            )
                            rotated += 1
                        if index is not None:
                            digest = blind_index(decrypt(token))
                            if digest != row[2]:
                                update[index.attname] = digest
                                reindexed += 1
                    except DecryptionError:
                        raise CommandError(
                            f"{model._meta.label} pk={pk}, field {field.name}: no configured key decrypts it. "
                            "Add the key it was written with to FIELD_ENCRYPTION_KEY (after the newest) and run "
                            "again; batches already done stay done."
                        ) from None
                    if update:
                        changed.append((pk, update))
                if changed and not check:
                    self._write(model, field, index, changed, database)

    @staticmethod
    def _write(model, field, index, changed, database) -> None:
        # The token is passed as an expression so that the field does not encrypt it a second time;
        # bulk_update is one UPDATE ... CASE per batch and, like update(), writes no history row.
        # A column a row does not change is set to itself (F), never to the model's default.
        names = [f.attname for f in (field, index) if f is not None]
        names = [n for n in names if any(n in update for _pk, update in changed)]
        objects = []
        for pk, update in changed:
            obj = model(pk=pk)
            for attname in names:
                setattr(obj, attname, update.get(attname, models.F(attname)))
            objects.append(obj)
        by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
        model._base_manager.using(database).bulk_update(objects, [by_attname[n] for n in names])

"""Spreadsheet imports: upload, check, confirm, cancel (the services behind the admin's import pages).

The flow, and why it is shaped so:

1. :func:`import_upload` keeps the file under ``MEDIA_ROOT/imports/`` with a random name (never
   under static, never the user's file name), after checking its size and its type by content.
2. :func:`import_check` reads it once and runs every row through the resource as a dry run,
   which writes nothing. The job ends *invalid* with every bad row listed (row, column, reason;
   the first 1,000 kept, all counted), or *valid* with the checked rows kept in a second file,
   so that confirming needs neither the spreadsheet nor the checks again.
3. :func:`import_confirm` writes those rows, only for a valid job and only when the user asks.
   What may have changed since the check is checked again, in bulk: the permission, the unions
   still in the user's scope, and ID numbers that got an open membership meanwhile.
   The whole file is written in ONE transaction, in batches: either every row is in or none is,
   and a second run (a redelivered Celery task, a double click) finds the job done and returns,
   or finds nothing written and starts again. Card numbers are reserved before that transaction,
   so the counter row is not locked while thousands of rows are written (a failed import leaves
   a gap in card numbers, nothing else). Progress goes through the cache, as the rows written
   inside the transaction are invisible to the job page until it commits.
4. :func:`import_cancel` ends a job that is not being written.

Files with more than ``settings.IMPORT_SYNC_MAX_ROWS`` rows are checked and imported by Celery
tasks (``members.tasks``); the others in the request. Temporary files are removed when a job
ends: imported, invalid, failed or cancelled (and :func:`import_expire` ends abandoned ones).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.spreadsheets import read_dataset, sniff_format
from union_portal.organisations.models import MEMBER_UNION_KINDS, Enterprise, Organisation

from . import resources
from .models import ImportJob, Member

logger = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
MAX_STORED_ERRORS = 1000
PROGRESS_TTL = 60 * 60 * 24
#: An xlsx is a zip: refuse one that would unpack to more than this many times the upload limit.
XLSX_MAX_EXPANSION = 10
Status = ImportJob.Status


@dataclass(frozen=True)
class ImportKind:
    """One kind of spreadsheet import: its resource, who may run it, how checked rows are written.

    Checked rows come as batches (lists of rows, see ``resources.checked_batches``); a row starts
    with its spreadsheet row number.
    """

    key: str
    label: object
    perm: str
    resource: type[resources.CheckedImportResource]
    needs_cards: bool = False

    def recheck(self, batches: Iterable[list[list]], *, by) -> tuple[list[dict], int]:
        """Problems that appeared since the check (scope, duplicates) as row errors, and the row count."""
        return [], sum(len(b) for b in batches)

    def write(self, batches: Iterable[list[list]], *, by, cards=None, progress=None) -> int:
        """Write checked rows (call inside a transaction); returns how many."""
        raise NotImplementedError


class MemberImport(ImportKind):
    def recheck(self, batches, *, by):
        union_at = resources.member_checked_index("union_id")
        hash_at = resources.member_checked_index("id_number_hash")
        rows = [(r[0], r[union_at], r[hash_at]) for batch in batches for r in batch]
        allowed = set(
            Organisation.objects.visible_to(by)
            .filter(
                pk__in={union for _line, union, _hash in rows}, kind__in=MEMBER_UNION_KINDS, is_active=True
            )
            .values_list("pk", flat=True)
        )
        taken: set[str] = set()
        for start in range(0, len(rows), 5000):
            chunk = [h for _line, _union, h in rows[start : start + 5000]]
            taken.update(
                Member.objects.open()
                .filter(id_number_hash__in=chunk)
                .values_list("id_number_hash", flat=True)
            )
        errors = []
        for line, union, key in rows:
            if union not in allowed:
                errors.append({"row": line, "column": resources.UNION,
                               "message": _("This union is no longer one you may import into.")})  # fmt: skip
            if key in taken:
                errors.append({"row": line, "column": resources.ID_NUMBER,
                               "message": _("This ID number already has an open membership or application.")})  # fmt: skip
        return errors, len(rows)

    def write(self, batches, *, by, cards=None, progress=None):
        done = 0
        for batch in batches:
            resources.write_members([resources.member_checked_values(r) for r in batch], by=by, cards=cards)
            done += len(batch)
            if progress is not None:
                progress(done)
        return done


class EnterpriseImport(ImportKind):
    def recheck(self, batches, *, by):
        rows = [resources.enterprise_from_checked(r) for batch in batches for r in batch]
        allowed = set(
            Organisation.objects.visible_to(by)
            .filter(pk__in={e.town_id for _line, e in rows}, kind__in=resources.TOWN_KINDS)
            .values_list("pk", flat=True)
        )
        taken = set(
            Enterprise.objects.filter(credit_code__in=[e.credit_code for _line, e in rows]).values_list(
                "credit_code", flat=True
            )
        )
        errors = []
        for line, e in rows:
            if e.town_id not in allowed:
                errors.append({"row": line, "column": resources.ENT_TOWN,
                               "message": _("This town is no longer in your organisation.")})  # fmt: skip
            if e.credit_code in taken:
                errors.append({"row": line, "column": resources.ENT_CODE,
                               "message": _("An enterprise with this credit code is already registered.")})  # fmt: skip
        return errors, len(rows)

    def write(self, batches, *, by, cards=None, progress=None):
        done = 0
        for batch in batches:
            resources.write_enterprises([resources.enterprise_from_checked(r)[1] for r in batch], by=by)
            done += len(batch)
            if progress is not None:
                progress(done)
        return done


KINDS: dict[str, ImportKind] = {
    "members": MemberImport(
        "members",
        gettext_lazy("members"),
        "members.import_member",
        resources.MemberResource,
        needs_cards=True,
    ),
    "enterprises": EnterpriseImport(
        "enterprises",
        gettext_lazy("enterprises"),
        "organisations.import_enterprise",
        resources.EnterpriseResource,
    ),
}


def import_kind(key: str) -> ImportKind:
    try:
        return KINDS[key]
    except KeyError:
        raise ApplicationError(_("Unknown kind of import."), code="unknown_kind") from None


# --- files --------------------------------------------------------------------------------------------


def _checked_path(job: ImportJob) -> str:
    return f"{job.stored_path}.checked.json"


def _is_ours(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and path.parts[:1] == (UPLOAD_DIR,) and ".." not in path.parts


def _remove_files(job: ImportJob) -> None:
    """Remove the upload and the checked rows of a job that has ended."""
    if not _is_ours(job.stored_path):
        return
    for name in (job.stored_path, _checked_path(job)):
        try:
            default_storage.delete(name)
        except OSError:  # already gone, or the storage is down: the expiry sweep tries again
            logger.warning("import job %s: could not remove %s", job.pk, name)
    ImportJob.objects.filter(pk=job.pk).update(stored_path="")
    job.stored_path = ""


def _save_checked(job: ImportJob, batches: list[str]) -> None:
    name = _checked_path(job)
    if default_storage.exists(name):  # a second run of the same check: replace, do not add a file
        default_storage.delete(name)
    default_storage.save(name, ContentFile("\n".join(batches).encode()))


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def _xlsx_rows(raw: bytes) -> int:
    """Rows of the first sheet of an xlsx, counted without reading the cells; refuses zip bombs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ApplicationError(_("This file is not a readable xlsx workbook."), code="bad_file") from None
    if sum(i.file_size for i in infos) > XLSX_MAX_EXPANSION * settings.UPLOAD_MAX_BYTES:
        raise ApplicationError(_("This workbook unpacks to too much data."), code="too_large")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise ApplicationError(_("This file is not a readable xlsx workbook."), code="bad_file")
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    sheet = "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else (sheets[:1] or [None])[0]
    if sheet is None:
        return 0
    count, tail = 0, b""
    size = archive.getinfo(sheet).file_size
    with archive.open(sheet) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            count += data.count(b"<row ") + data.count(b"<row>")
            tail = data[-5:]
            count -= tail.count(b"<row ") + tail.count(b"<row>")  # counted again with the next chunk
    if count == 0 and size > 100_000:  # a writer with prefixed tags (<x:row>): estimate from the size
        count = size // 200
    return max(count - 1, 0)


def _csv_rows(raw: bytes) -> int:
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    return max(lines - 1, 0)


# --- progress ---------------------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def _set_progress(job_id: int, done: int) -> None:
    cache.set(_progress_key(job_id), done, PROGRESS_TTL)


def import_progress(job: ImportJob) -> int:
    """Rows checked or written so far (live while a job is being checked or imported)."""
    if job.status in (Status.CHECKING, Status.IMPORTING):
        return max(job.processed_rows, cache.get(_progress_key(job.pk)) or 0)
    return job.processed_rows


def import_is_async(job: ImportJob) -> bool:
    return job.total_rows > settings.IMPORT_SYNC_MAX_ROWS


# --- the services ---------------------------------------------------------------------------------------


def import_upload(*, by, file, kind: str = "members") -> ImportJob:
    """Keep an uploaded spreadsheet for checking. ``file`` is an UploadedFile (or anything with
    ``name``, ``size`` and ``read``). The type is told by the content, not the name."""
    spec = import_kind(kind)
    require_perm(by, spec.perm)
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ApplicationError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    raw = file.read(limit + 1)
    if len(raw) > limit:
        raise ApplicationError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    if not raw.strip():
        raise ApplicationError(_("The file is empty."), code="empty")
    fmt = sniff_format(raw)
    if fmt == "xls":
        raise ApplicationError(
            _("Old .xls workbooks are not read: save the file as .xlsx or .csv."), code="xls"
        )
    if fmt not in ("csv", "xlsx"):
        raise ApplicationError(_("This is not a spreadsheet: upload an .xlsx or .csv file."), code="bad_type")
    rows = _xlsx_rows(raw) if fmt == "xlsx" else _csv_rows(raw)
    name = default_storage.save(f"{UPLOAD_DIR}/{secrets.token_hex(16)}.{fmt}", ContentFile(raw))
    original = PurePosixPath(str(getattr(file, "name", "") or "upload").replace("\\", "/")).name
    return ImportJob.objects.create(
        kind=spec.key,
        original_name=original[:200],
        stored_path=name,
        status=Status.CHECKING,
        total_rows=rows,
        organisation=getattr(by, "organisation", None),
        created_by=by,
    )


def import_start_check(*, job: ImportJob) -> ImportJob:
    """Check now, or in a Celery task when the file is large."""
    if import_is_async(job):
        from .tasks import import_check_task

        transaction.on_commit(lambda: import_check_task.delay(job.pk))
        return job
    return import_check(job=job)


def _finish_check(
    job_id: int, *, errors: list[dict], total_errors: int, message: str, rows: int
) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != Status.CHECKING:
            return job  # cancelled meanwhile, or checked by another run
        job.status = Status.INVALID if total_errors else Status.VALID
        job.errors = errors[:MAX_STORED_ERRORS]
        job.error_count = total_errors
        job.message = message[:300]
        job.total_rows = rows
        job.processed_rows = 0 if not total_errors else job.processed_rows
        if total_errors:
            job.finished_at = timezone.now()
        cache.delete(_progress_key(job.pk))
        job.save(update_fields=["status", "errors", "error_count", "message", "total_rows", "processed_rows",
                                "finished_at"])  # fmt: skip
    return job


def import_check(*, job: ImportJob) -> ImportJob:
    """Check every row of an uploaded file; the job ends invalid (with its errors) or valid.
    Writes nothing but the job and the checked rows. Safe to call twice."""
    job = ImportJob.objects.select_related("created_by").get(pk=job.pk)
    if job.status != Status.CHECKING:
        return job
    spec = import_kind(job.kind)
    by = job.created_by
    try:
        try:
            dataset = read_dataset(_read(job.stored_path))
        except Exception:  # noqa: BLE001 - whatever a broken file raises, the user is told the same
            logger.info("import job %s: unreadable file", job.pk, exc_info=True)
            job = _finish_check(job.pk, errors=[{"row": None, "column": "", "message": _(
                "The file could not be read as a spreadsheet (a row longer than the header, a damaged file?)."
            )}], total_errors=1, message=_("The file could not be read."), rows=job.total_rows)  # fmt: skip
            _remove_files(job)
            return job
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(dataset))
        resource = spec.resource(by=by, keep_checked=True, progress=lambda n: _set_progress(job.pk, n))
        result = resource.import_data(dataset, dry_run=True)
        errors, total = resources.row_errors(result, limit=MAX_STORED_ERRORS)
        if not total and not resource.checked_count:
            errors, total = [{"row": None, "column": "", "message": _("The file has no rows to import.")}], 1
        if total:
            message = _("%(n)d problem(s) found: nothing was imported.") % {"n": total}
        else:
            message = _("%(n)d row(s) checked, ready to import.") % {"n": resource.checked_count}
            _save_checked(job, resource.checked)
        job = _finish_check(job.pk, errors=errors, total_errors=total, message=message, rows=len(dataset))
        if job.status != Status.VALID:
            _remove_files(job)
        return job
    except Exception:  # noqa: BLE001 - logged; the job tells the user
        logger.exception("import job %s: the check failed", job.pk)
        _fail(job, _("The check failed unexpectedly; the administrators have been told."))
        return ImportJob.objects.get(pk=job.pk)


def import_start_confirm(*, job: ImportJob, by) -> ImportJob:
    """The user confirms a valid job: import now, or in a Celery task when the file is large."""
    spec = import_kind(job.kind)
    require_perm(by, spec.perm)
    require_visible(by, job)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (Status.DONE, Status.IMPORTING):
            return job
        if job.status != Status.VALID:
            raise ApplicationError(_("Only a checked file without errors can be imported."), code="not_valid")
        job.status = Status.IMPORTING
        job.processed_rows = 0
        job.save(update_fields=["status", "processed_rows"])
        cache.delete(_progress_key(job.pk))
    if import_is_async(job):
        from .tasks import import_confirm_task

        transaction.on_commit(lambda: import_confirm_task.delay(job.pk, by.pk))
        return job
    return import_confirm(job=job, by=by)


def import_confirm(*, job: ImportJob, by) -> ImportJob:
    """Write the checked rows of a valid job, all of them or none. Safe to call twice."""
    spec = import_kind(job.kind)
    require_perm(by, spec.perm)
    require_visible(by, job)
    job = ImportJob.objects.get(pk=job.pk)
    if job.status == Status.DONE:
        return job
    if job.status not in (Status.VALID, Status.IMPORTING):
        raise ApplicationError(_("Only a checked file without errors can be imported."), code="not_valid")
    try:
        text = _read(_checked_path(job)).decode()
    except (OSError, UnicodeDecodeError):
        _fail(job, _("The checked rows are gone; upload the file again."))
        raise ApplicationError(_("The checked rows are gone; upload the file again."), code="gone") from None
    problems, count = spec.recheck(resources.checked_batches(text), by=by)
    if problems:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status in (Status.VALID, Status.IMPORTING):
                locked.status = Status.INVALID
                locked.errors = problems[:MAX_STORED_ERRORS]
                locked.error_count = len(problems)
                locked.message = _("%(n)d problem(s) appeared since the check: nothing was imported.") % {
                    "n": len(problems)
                }
                locked.finished_at = timezone.now()
                locked.save(update_fields=["status", "errors", "error_count", "message", "finished_at"])
        _remove_files(job)
        return ImportJob.objects.get(pk=job.pk)
    cards = iter(resources.make_card_numbers(count)) if spec.needs_cards and count else None
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.status == Status.DONE:
                return job  # another run finished while this one waited for the lock
            if job.status not in (Status.VALID, Status.IMPORTING):
                raise ApplicationError(
                    _("Only a checked file without errors can be imported."), code="not_valid"
                )
            written = spec.write(
                resources.checked_batches(text),
                by=by,
                cards=cards,
                progress=lambda n: _set_progress(job.pk, n),
            )
            job.status = Status.DONE
            job.processed_rows = written
            job.total_rows = written
            job.message = _("%(n)d row(s) imported.") % {"n": written}
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "processed_rows", "total_rows", "message", "finished_at"])
    except IntegrityError:
        logger.warning("import job %s: a row conflicted while writing", job.pk, exc_info=True)
        _fail(job, _("The file conflicted with data written while it was being imported (someone registered "
                     "one of these people meanwhile?): nothing was imported. Upload it again to see which rows."))  # fmt: skip
        return ImportJob.objects.get(pk=job.pk)
    except ApplicationError:
        raise
    except Exception:  # noqa: BLE001 - logged; the job tells the user
        logger.exception("import job %s: the import failed", job.pk)
        _fail(job, _("The import failed unexpectedly: nothing was imported."))
        return ImportJob.objects.get(pk=job.pk)
    cache.delete(_progress_key(job.pk))
    _remove_files(job)
    return job


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).exclude(status=Status.DONE).update(
        status=Status.FAILED, message=message[:300], finished_at=timezone.now()
    )
    job.refresh_from_db()
    if job.status == Status.FAILED:
        _remove_files(job)


def import_cancel(*, job: ImportJob, by) -> ImportJob:
    """Abandon a job that is not being written; its files are removed."""
    spec = import_kind(job.kind)
    require_perm(by, spec.perm)
    require_visible(by, job)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(nowait=True).get(pk=job.pk)
            if job.status in (Status.DONE, Status.CANCELLED, Status.FAILED):
                return job
            job.status = Status.CANCELLED
            job.message = _("Cancelled by %(user)s.") % {"user": by}
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "message", "finished_at"])
    except DatabaseError:
        raise ApplicationError(
            _("This file is being imported right now and cannot be cancelled."), code="busy"
        ) from None
    _remove_files(job)
    return job


def import_expire(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """End jobs left unconfirmed (or stuck) for longer than ``older_than``, removing their files.
    Meant for a daily beat schedule; returns how many were ended."""
    cutoff = timezone.now() - older_than
    ended = 0
    stale = ImportJob.objects.filter(created_at__lt=cutoff).exclude(stored_path="")
    for job in stale.exclude(status=Status.IMPORTING).iterator():
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status in (Status.CHECKING, Status.VALID):
                locked.status = Status.CANCELLED
                locked.message = _("Not confirmed in time: cancelled.")
                locked.finished_at = timezone.now()
                locked.save(update_fields=["status", "message", "finished_at"])
        _remove_files(locked)
        ended += 1
    return ended


def import_job_list(*, viewer, kind: str | None = None):
    """Import jobs the viewer may see, newest first."""
    jobs = ImportJob.objects.visible_to(viewer).select_related("created_by")
    return jobs.filter(kind=kind) if kind else jobs

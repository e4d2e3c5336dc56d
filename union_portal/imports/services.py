"""Spreadsheet imports: upload, check, confirm, cancel (the services behind every kind's import pages).

The flow, and why it is shaped so:

1. :func:`import_upload` keeps the file under ``MEDIA_ROOT/imports/`` with a random name (never
   under static, never the user's file name), after checking its size, its type by content, the
   sizes its zip declares (an xlsx), and its row count: a file over ``IMPORT_MAX_ROWS`` rows is
   refused before any row is read.
2. :func:`import_check` streams every row through the kind's resource (``resources.py``), which
   writes nothing. The job ends *invalid* with every bad row listed (row, column, reason; the first
   1,000 kept, all counted), or *valid* with the checked rows kept in a second file and a preview
   of the first rows as they will be stored, so that confirming needs neither the spreadsheet nor
   the checks again. Memory stays flat whatever the size of the file.
3. :func:`import_confirm` writes those rows, only for a valid job and only when the user asks.
   What may have changed since the check is checked again, batch by batch (``recheck``: the
   permission, the scope, duplicates registered meanwhile). The whole file is written in ONE
   transaction, in batches: either every row is in or none is, and a second run (a redelivered
   Celery task, a double click) finds the job done and returns, or finds nothing written and starts
   again. What the rows need from shared counters (card numbers) is reserved before that
   transaction (``reserve``), so no counter row stays locked while thousands of rows are written.
   Progress goes through the cache, as the rows written inside the transaction are invisible to
   the job page until it commits.
4. :func:`import_cancel` ends a job that is not being written.

Files with more than ``settings.IMPORT_SYNC_MAX_ROWS`` rows are checked and imported by Celery
tasks (``tasks.py``); the others in the request. Temporary files are removed when a job ends:
imported, invalid, failed or cancelled (and :func:`import_expire` ends abandoned ones).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import require_perm, require_visible

from . import resources
from .models import ImportJob
from .reading import SpreadsheetError, Workbook, count_csv_rows, sniff_format, spreadsheet_rows
from .registry import ImportKind, import_kind
from .resources import CheckedSink, RowError, checked_batches, problem

logger = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
PROGRESS_TTL = 60 * 60 * 24
Status = ImportJob.Status


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


def _temporary_file():
    """A temporary file next to the uploads (personal data stays under MEDIA_ROOT), unlinked at once."""
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryFile(dir=directory)


def _format_of(name: str) -> str:
    return PurePosixPath(name).suffix.lstrip(".")


@contextlib.contextmanager
def open_rows(name: str, sheet: str | None = None) -> Iterator[Iterator[tuple[int, list]]]:
    """The rows of a stored upload, streamed (see ``reading.py``)."""
    with (
        default_storage.open(name, "rb") as stored,
        spreadsheet_rows(getattr(stored, "file", stored), sheet) as rows,
    ):
        yield rows


def _count_rows(name: str, sheet: str | None) -> int:
    with default_storage.open(name, "rb") as stored:
        fh = getattr(stored, "file", stored)
        if _format_of(name) == "csv":
            return count_csv_rows(fh)
        workbook = Workbook(fh)
        try:
            return max(workbook.count_rows(sheet) - 1, 0)
        finally:
            workbook.close()


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


def _too_large(limit: int) -> ApplicationError:
    return ApplicationError(
        _("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}, code="too_large"
    )


# --- the services ---------------------------------------------------------------------------------------


def import_upload(*, by, file, kind: str) -> ImportJob:
    """Keep an uploaded spreadsheet for checking. ``file`` is an UploadedFile (or anything with
    ``name``, ``size`` and ``read``). The type is told by the content, not the name; an xlsx is
    judged by the sizes its zip declares and its rows are counted before any is read."""
    spec = import_kind(kind)
    require_perm(by, spec.permission)
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    head = file.read(65536 + 1)
    if not head.strip() and (size is None or size <= len(head)):
        raise ApplicationError(_("The file is empty."), code="empty")
    fmt = sniff_format(head)
    if fmt == "xls":
        raise ApplicationError(
            _("Old .xls workbooks are not read: save the file as .xlsx or .csv."), code="xls"
        )
    if fmt not in ("csv", "xlsx"):
        raise ApplicationError(_("This is not a spreadsheet: upload an .xlsx or .csv file."), code="bad_type")
    file.seek(0)
    name = default_storage.save(
        f"{UPLOAD_DIR}/{secrets.token_hex(16)}.{fmt}", file if isinstance(file, File) else File(file)
    )
    try:
        if default_storage.size(name) > limit:
            raise _too_large(limit)
        rows = _count_rows(name, spec.resource.sheet)
        if rows > settings.IMPORT_MAX_ROWS:
            raise ApplicationError(
                _("The file has more than %(n)s rows: split it into several files.")
                % {"n": f"{settings.IMPORT_MAX_ROWS:,}"},
                code="too_many_rows",
            )
    except SpreadsheetError as exc:
        default_storage.delete(name)
        raise ApplicationError(exc.message, code=exc.code) from None
    except ApplicationError:
        default_storage.delete(name)
        raise
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


def _finish_check(job_id: int, *, errors: list[dict], total_errors: int, message: str, rows: int,
                  preview: dict | None = None) -> ImportJob:  # fmt: skip
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if job.status != Status.CHECKING:
            return job  # cancelled meanwhile, or checked by another run
        job.status = Status.INVALID if total_errors else Status.VALID
        job.errors = errors[: resources.MAX_PROBLEMS]
        job.error_count = total_errors
        job.message = message[:300]
        job.total_rows = rows
        job.preview = {} if total_errors else (preview or {})
        job.processed_rows = 0
        if total_errors:
            job.finished_at = timezone.now()
        cache.delete(_progress_key(job.pk))
        job.save(update_fields=["status", "errors", "error_count", "message", "total_rows", "preview",
                                "processed_rows", "finished_at"])  # fmt: skip
    return job


def _file_problem(job: ImportJob, message) -> ImportJob:
    job = _finish_check(job.pk, errors=[problem(None, "", message)], total_errors=1,
                        message=_("The file could not be read."), rows=job.total_rows)  # fmt: skip
    _remove_files(job)
    return job


def import_check(*, job: ImportJob) -> ImportJob:
    """Check every row of an uploaded file; the job ends invalid (with its errors) or valid.
    Writes nothing but the job and the checked rows. Safe to call twice."""
    job = ImportJob.objects.select_related("created_by").get(pk=job.pk)
    if job.status != Status.CHECKING:
        return job
    spec = import_kind(job.kind)
    try:
        resource = spec.resource(by=job.created_by)
        with _temporary_file() as checked:
            try:
                with open_rows(job.stored_path, resource.sheet) as rows:
                    outcome = resource.check(
                        rows,
                        sink=CheckedSink(checked, resource.checked_field_names),
                        progress=lambda n: _set_progress(job.pk, n),
                    )
            except SpreadsheetError as exc:
                logger.info("import job %s: unreadable file (%s)", job.pk, exc.code)
                return _file_problem(job, exc.message)
            if outcome.valid:
                message = resource.describe(outcome)
                checked.seek(0)
                _save_checked(job, checked)
            else:
                message = _("%(n)d problem(s) found: nothing was imported.") % {"n": outcome.problem_count}
        job = _finish_check(job.pk, errors=outcome.problems, total_errors=outcome.problem_count, message=message,
                            rows=outcome.rows, preview={**outcome.preview, "records": outcome.checked})  # fmt: skip
        if job.status != Status.VALID:
            _remove_files(job)
        return job
    except Exception:  # noqa: BLE001 - logged; the job tells the user
        logger.exception("import job %s: the check failed", job.pk)
        _fail(job, _("The check failed unexpectedly; the administrators have been told."))
        return ImportJob.objects.get(pk=job.pk)


def _save_checked(job: ImportJob, fh) -> None:
    name = _checked_path(job)
    if default_storage.exists(name):  # a second run of the same check: replace, do not add a file
        default_storage.delete(name)
    saved = default_storage.save(name, File(fh))
    if saved != name:  # the storage chose another name: keep the convention, or confirm cannot find it
        default_storage.delete(saved)
        raise OSError(f"checked rows stored as {saved}, not {name}")


def import_start_confirm(*, job: ImportJob, by) -> ImportJob:
    """The user confirms a valid job: import now, or in a Celery task when the file is large."""
    spec = import_kind(job.kind)
    require_perm(by, spec.permission)
    require_visible(by, job)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
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


def _recheck(spec: ImportKind, resource, job: ImportJob) -> tuple[list[dict], int, int]:
    """Problems that appeared since the check, batch by batch; and how many records and problems."""
    found, count, records = [], 0, 0
    with default_storage.open(_checked_path(job), "rb") as fh:
        for batch in checked_batches(fh, resource):
            records += len(batch)
            for line, errors in sorted(resource.recheck(batch).items()):
                for column, message in errors.items():
                    count += 1
                    if len(found) < resources.MAX_PROBLEMS:
                        found.append(problem(line, resource.header_of(column), message))
    return found, count, records


def _end_invalid(job: ImportJob, problems: list[dict], count: int) -> ImportJob:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
        if locked.status in (Status.VALID, Status.IMPORTING):
            locked.status = Status.INVALID
            locked.errors = problems[: resources.MAX_PROBLEMS]
            locked.error_count = count
            locked.message = _("%(n)d problem(s) appeared since the check: nothing was imported.") % {
                "n": count
            }
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "errors", "error_count", "message", "finished_at"])
    _remove_files(job)
    return ImportJob.objects.get(pk=job.pk)


def import_confirm(*, job: ImportJob, by) -> ImportJob:
    """Write the checked rows of a valid job, all of them or none. Safe to call twice."""
    spec = import_kind(job.kind)
    require_perm(by, spec.permission)
    require_visible(by, job)
    job = ImportJob.objects.get(pk=job.pk)
    if job.status == Status.DONE:
        return job
    if job.status not in (Status.VALID, Status.IMPORTING):
        raise ApplicationError(_("Only a checked file without errors can be imported."), code="not_valid")
    resource = spec.resource(by=by)
    try:
        problems, count, records = _recheck(spec, resource, job)
    except (OSError, ValueError):
        _fail(job, _("The checked rows are gone; upload the file again."))
        raise ApplicationError(_("The checked rows are gone; upload the file again."), code="gone") from None
    if count:
        return _end_invalid(job, problems, count)
    resource.reserve(records)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
            if job.status == Status.DONE:
                return job  # another run finished while this one waited for the lock
            if job.status not in (Status.VALID, Status.IMPORTING):
                raise ApplicationError(
                    _("Only a checked file without errors can be imported."), code="not_valid"
                )
            written = 0
            with default_storage.open(_checked_path(job), "rb") as fh, resource.writing():
                for batch in checked_batches(fh, resource):
                    resource.write(batch)
                    written += len(batch)
                    _set_progress(job.pk, written)
            job.status = Status.DONE
            job.processed_rows = job.total_rows
            job.message = resource.describe_written(written)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "processed_rows", "message", "finished_at"])
    except RowError as exc:
        line = getattr(exc, "line", None)
        found = [problem(line, resource.header_of(column), message) for column, message in exc.errors.items()]
        return _end_invalid(job, found, len(found))
    except IntegrityError:
        logger.warning("import job %s: a row conflicted while writing", job.pk, exc_info=True)
        _fail(job, _("The file conflicted with data written while it was being imported (someone registered "
                     "one of these people meanwhile?): nothing was imported. Upload it again to see which rows."))  # fmt: skip
        return ImportJob.objects.get(pk=job.pk)
    except ApplicationError as exc:
        if exc.code == "not_valid":
            raise
        _fail(job, _("The import stopped: %(reason)s Nothing was imported.") % {"reason": exc})
        return ImportJob.objects.get(pk=job.pk)
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
    require_perm(by, spec.permission)
    require_visible(by, job)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(of=("self",), nowait=True).get(pk=job.pk)
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
            locked = ImportJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
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

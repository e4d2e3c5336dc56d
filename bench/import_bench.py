"""The import benchmark (``make bench BENCH_ARGS="--only import"``): the section and its workers.

What it measures, each against a baseline of the same run:

- the resource import (read, check every row, write the members with their history rows and
  events) against PostgreSQL ``COPY`` of the same members into the same table: our overhead,
  whatever the machine (goal: at least half the rate of ``COPY``);
- the admin flow (upload, check, confirm) against the resource import;
- the peak memory of the check of a 100,000-row file against a 1,000,000-row file (the check
  streams: within 1.5×), for xlsx (shared strings, as Excel writes them) and csv; the check's second
  process (``IMPORT_CHECK_PROCESSES``) counted in, its shared pages twice (an upper bound);
- a small xlsx that unpacks to gigabytes, refused at the upload before any row is read;
- that every planted bad row is reported with its reason.

Workers run in subprocesses (``bench/run.py --worker bench.import_bench:<name>``).
"""

from __future__ import annotations

import csv
import io
import random
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from bench import common
from bench.common import Row, django_setup, log
from bench.workers import DATA_DIR, peak_mb, staff_user

MODULE = "bench.import_bench"


#: The memory rows check a file of ten times the import rows (a million rows of csv: 150 MB), over the
#: default upload limit of 50 MB: their workers run with this one (the zip-bomb rows keep the default).
MEMORY_UPLOAD_MAX_BYTES = 512 * 1024 * 1024


def _worker(name: str, url: str, payload: dict, **extra_env: str) -> dict:
    return common.run_worker(f"{MODULE}:{name}", url, payload, **extra_env)


# --- the section -------------------------------------------------------------------------------------------


#: Rounds of the imports, the admin flows and COPY (the best of each is compared): on a shared machine
#: one run of any of them varies by a tenth from the next; the rounds are interleaved, so that a slow
#: minute slows every side.
IMPORT_ROUNDS = 2


def section(source_url: str, target_url: str, n: int, quick: bool) -> tuple[list[Row], list[str]]:
    big = 10 * n
    files = _worker("import_files", source_url, {"rows": n})
    results = {}
    rounds = 1 if quick else IMPORT_ROUNDS
    runs = [("read", "csv"), ("read", "xlsx")]
    runs += [
        ("copy", "csv"),
        ("resource", "csv"),
        ("resource", "xlsx"),
        ("flow", "csv"),
        ("flow", "xlsx"),
    ] * rounds
    for variant, fmt in runs:
        url = source_url if variant == "read" else target_url
        if url == target_url:
            common.clone_database(source_url, target_url)
        r = _worker("import_variant", url, {"variant": variant, "path": files[fmt], "rows": n})
        log(f"  import {variant} {fmt}: {r['rows_per_s']:,.0f} rows/s, {r['peak_mb']:.0f} MB")
        best = results.get((variant, fmt))
        if best is None or r["rows_per_s"] > best["rows_per_s"]:
            results[(variant, fmt)] = r
    copy = results[("copy", "csv")]["rows_per_s"]
    rows = []
    for fmt in ("csv", "xlsx"):
        res = results[("resource", fmt)]["rows_per_s"]
        rows.append(
            Row(
                f"import {n:,} rows from {fmt} (resource: read, check, write with history and events)",
                common.per_s(res, " rows/s"),
                f"PostgreSQL COPY of the same members {common.per_s(copy, ' rows/s')}",
                res / copy,
                "≥ 50% of COPY",
                res / copy >= 0.5,
                ratio_format="{:.0%}",
            )
        )
    for fmt in ("csv", "xlsx"):
        flow, res = results[("flow", fmt)], results[("resource", fmt)]
        rows.append(
            Row(
                f"admin flow from {fmt}: upload, check (preview), confirm",
                common.per_s(flow["rows_per_s"], " rows/s")
                + f" (upload {flow['upload_s']:.1f} s, check {flow['check_s']:.1f} s, confirm {flow['confirm_s']:.1f} s)",
                f"resource import {common.per_s(res['rows_per_s'], ' rows/s')}",
                flow["rows_per_s"] / res["rows_per_s"],
                "≥ 70% of the resource import",
                flow["rows_per_s"] / res["rows_per_s"] >= 0.7,
                ratio_format="{:.0%}",
            )
        )
    for fmt in ("csv", "xlsx"):
        r = results[("read", fmt)]
        rows.append(
            Row(
                f"import baseline: reading the {fmt} alone (streamed)",
                common.per_s(r["rows_per_s"], " rows/s"),
                "",
                None,
                "recorded",
                None,
            )  # fmt: skip
        )
    rows.append(Row("import baseline: PostgreSQL COPY (members, encrypted ID numbers)", common.per_s(copy, " rows/s"),
                    "", None, "recorded", None))  # fmt: skip
    big_files = _worker("import_files", source_url, {"rows": big})
    for fmt in ("xlsx", "csv"):
        limit = {"UPLOAD_MAX_BYTES": str(MEMORY_UPLOAD_MAX_BYTES)}
        small_check = _worker("import_check_memory", source_url, {"path": files[fmt], "rows": n}, **limit)
        large_check = _worker(
            "import_check_memory", source_url, {"path": big_files[fmt], "rows": big}, **limit
        )
        ratio = large_check["peak_mb"] / small_check["peak_mb"]
        log(
            f"  check memory {fmt}: {small_check['peak_mb']:.0f} MB at {n:,}, {large_check['peak_mb']:.0f} MB at {big:,}"
        )
        rows.append(
            Row(
                f"check of {big:,} rows from {fmt}: peak memory",
                f"{large_check['peak_mb']:.0f} MB ({common.per_s(large_check['rows_per_s'], ' rows/s')})",
                f"{n:,} rows: {small_check['peak_mb']:.0f} MB ({common.per_s(small_check['rows_per_s'], ' rows/s')})",
                ratio,
                "≤ 1.5×",
                ratio <= 1.5 and large_check["valid"] and small_check["valid"],
            )
        )
    for shape in ("wide", "long"):
        bomb = _worker("import_zip_bomb", source_url, {"shape": shape})
        rows.append(
            Row(
                f"an xlsx of {bomb['file_mb']:.1f} MB unpacking to {bomb['unpacked_mb']:,.0f} MB ({bomb['rows']:,} rows)",
                f"refused at the upload in {bomb['seconds']:.1f} s, peak {bomb['peak_mb']:.0f} MB: {bomb['code']}",
                "",
                None,
                "refused before reading a row",
                bomb["code"] in (("too_large",) if shape == "wide" else ("too_compressed", "too_many_rows")),
            )
        )
    bad = _worker("import_bad_rows", source_url, {})
    rows.append(
        Row(
            "bad rows reported with their reason (check step)",
            f"{bad['reported']}/{bad['planted']} rows, {bad['with_reason']} with a reason",
            "",
            None,
            "every bad row",
            bad["reported"] == bad["planted"] == bad["with_reason"],
        )
    )
    notes = [
        f"Import: batches of {results[('resource', 'csv')]['batch_size']:,} rows; COPY for members, history rows "
        "and events copied in the database; the check writes nothing but its file of checked rows. "
        f"Imports, admin flows and COPY: the best of {rounds} interleaved round(s) of each.",
        "Bad rows planted: " + ", ".join(bad["kinds"]),
    ]
    return rows, notes


# --- workers -------------------------------------------------------------------------------------------------

HEADER = [
    "姓名",
    "身份证号",
    "手机号",
    "所属工会",
    "工作单位",
    "岗位",
    "技能等级",
    "户籍类型",
    "是否农民工",
    "入会日期",
]


def import_files(payload: dict) -> dict:
    """A csv and an xlsx of ``rows`` new members of this database's unions (cached in bench/data/).

    The xlsx is written as Excel writes it: every text once in the shared-string table, the join
    date as a date cell (a number in a date format)."""
    django_setup()
    from django.db import connection

    from members.fakes import fake_mobile, fake_name
    from members.scale import IMPORT_ID_START, county_is_local, scale_id_number
    from union_portal.organisations.models import MEMBER_UNION_KINDS, Organisation

    n = payload["rows"]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stem = DATA_DIR / f"import_{n}_{connection.settings_dict['NAME']}"
    paths = {"csv": str(stem) + ".csv", "xlsx": str(stem) + ".xlsx"}
    if all(Path(p).exists() for p in paths.values()):
        return paths
    unions = list(
        Organisation.objects.filter(kind__in=MEMBER_UNION_KINDS, is_active=True)
        .select_related("enterprise")
        .order_by("path")
    )
    counts: dict[str, int] = {}
    for u in unions:
        counts[u.name] = counts.get(u.name, 0) + 1
    unions = [u for u in unions if counts[u.name] == 1]  # a name two unions share is a row error
    rng = random.Random(7)

    def rows():
        for i in range(n):
            union = rng.choice(unions)
            number = scale_id_number(IMPORT_ID_START + i, rng.random() < 0.55)
            local = county_is_local(number)
            yield [
                fake_name(rng), number, fake_mobile(rng), union.name,
                union.enterprise.credit_code if union.enterprise_id else "",
                rng.choice(["操作工", "质检员", "焊工", "电工", "仓管员"]),
                rng.choice(["", "初级工", "中级工", "高级工", "技师"]),
                "本地" if local else "外地", "否" if local else rng.choice(["是", "否"]),
                f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]  # fmt: skip

    with open(paths["csv"], "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows())
    rng = random.Random(7)
    write_excel_like_xlsx(paths["xlsx"], HEADER, rows(), date_columns={9})
    return paths


def _cell_ref(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def write_excel_like_xlsx(
    path: str, header: list[str], rows, *, date_columns: set[int] = frozenset()
) -> None:
    """An xlsx as Excel writes it: texts in the shared-string table, dates as serial numbers with a date style."""
    import datetime as dt

    strings: dict[str, int] = {}
    epoch = dt.date(1899, 12, 30)

    def shared(text: str) -> int:
        index = strings.get(text)
        if index is None:
            index = strings[text] = len(strings)
        return index

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            out = io.TextIOWrapper(sheet, encoding="utf-8")
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {ns}><sheetData>')
            for r, values in enumerate(
                [header, *rows] if isinstance(rows, list) else _chain(header, rows), 1
            ):
                cells = []
                for c, value in enumerate(values):
                    if value in ("", None):
                        continue
                    ref = _cell_ref(r, c)
                    if r > 1 and c in date_columns:
                        serial = (dt.date.fromisoformat(value) - epoch).days
                        cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
                out.write(f'<row r="{r}">{"".join(cells)}</row>')
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as sst:
            out = io.TextIOWrapper(sst, encoding="utf-8")
            out.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {ns} uniqueCount="{len(strings)}">'
            )
            for text in strings:
                out.write(f"<si><t>{escape(text)}</t></si>")
            out.write("</sst>")
            out.flush()
            out.detach()
        zf.writestr(
            "xl/styles.xml",
            f'<styleSheet {ns}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="会员名单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        )
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )


def _chain(header, rows):
    yield header
    yield from rows


def import_variant(payload: dict) -> dict:
    django_setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from members.models import Member
    from members.resources import MemberResource
    from union_portal.imports import services as importing
    from union_portal.imports.models import ImportJob
    from union_portal.imports.reading import spreadsheet_rows

    variant, path, n = payload["variant"], payload["path"], payload["rows"]
    user = staff_user()
    before = Member.objects.count()
    out: dict = {"batch_size": MemberResource.batch_size}
    if variant == "read":
        started = time.perf_counter()
        with open(path, "rb") as fh, spreadsheet_rows(fh) as rows:
            count = sum(1 for _row in rows) - 1
        elapsed = time.perf_counter() - started
        assert count == n, count
    elif variant == "resource":
        started = time.perf_counter()
        with open(path, "rb") as fh, spreadsheet_rows(fh) as rows:
            outcome = MemberResource(by=user).import_rows(rows)
        elapsed = time.perf_counter() - started
        assert outcome.valid, outcome.problems[:3]
    elif variant == "flow":
        name = "members" + Path(path).suffix
        started = time.perf_counter()
        with open(path, "rb") as fh:
            job = importing.import_upload(by=user, file=SimpleUploadedFile(name, fh.read()), kind="members")
        t1 = time.perf_counter()
        job = importing.import_check(job=job)
        t2 = time.perf_counter()
        assert job.status == ImportJob.Status.VALID, (job.status, job.message, job.errors[:3])
        job = importing.import_confirm(job=job, by=user)
        elapsed = time.perf_counter() - started
        assert job.status == ImportJob.Status.DONE, (job.status, job.message)
        out.update(upload_s=t1 - started, check_s=t2 - t1, confirm_s=elapsed - (t2 - started))
    elif variant == "copy":
        from union_portal.core.bulkload import RowWriter
        from union_portal.core.crypto import encrypt

        members = _checked_members(path, user)
        started = time.perf_counter()
        with transaction.atomic():
            writer = RowWriter(Member, skip={"id"})
            for m in members:
                row = {f.attname: getattr(m, f.attname) for f in writer.fields}
                row["id_number"] = encrypt(m.id_number)
                writer.add(row)
            writer.flush()
        elapsed = time.perf_counter() - started
    else:
        raise ValueError(variant)
    if variant != "read":
        added = Member.objects.count() - before
        assert added == n, f"{variant}: {added} rows written, {n} expected"
    out.update(rows_per_s=n / elapsed, seconds=elapsed, peak_mb=peak_mb())
    return out


def _checked_members(path: str, user) -> list:
    """The file's members as the importer would write them (untimed preparation of the COPY baseline)."""
    from django.utils import timezone

    from members.models import Member
    from members.resources import MemberResource
    from members.services import make_card_numbers
    from union_portal.imports.reading import spreadsheet_rows

    records = []

    class Keep:
        def put(self, batch):
            records.extend(record for _line, record in batch)

    with open(path, "rb") as fh, spreadsheet_rows(fh) as rows:
        outcome = MemberResource(by=user).check(rows, sink=Keep())
    assert outcome.valid, outcome.problems[:3]
    now, today = timezone.now(), timezone.localdate()
    members = []
    for record, card in zip(records, make_card_numbers(len(records)), strict=True):
        member = Member(**record)
        member.status, member.channel, member.card_number = "active", "import", card
        member.join_date = member.join_date or today
        member.decided_at = member.applied_at = member.updated_at = now
        member.decided_by_id = member.filed_by_id = user.pk
        members.append(member)
    return members


def import_check_memory(payload: dict) -> dict:
    """Upload and check one file (the admin's check step, streamed): the peak memory of this process."""
    django_setup()
    from django.core.files.base import File

    from union_portal.imports import services as importing
    from union_portal.imports.models import ImportJob

    user = staff_user()
    path, n = payload["path"], payload["rows"]
    started = time.perf_counter()
    with open(path, "rb") as fh:
        job = importing.import_upload(
            by=user, file=File(fh, name="members" + Path(path).suffix), kind="members"
        )
    job = importing.import_check(job=job)
    elapsed = time.perf_counter() - started
    valid = job.status == ImportJob.Status.VALID and job.total_rows == n
    importing.import_cancel(job=job, by=user)
    return {"peak_mb": peak_mb(), "rows_per_s": n / elapsed, "valid": valid, "status": job.status}


def import_zip_bomb(payload: dict) -> dict:
    """A small xlsx whose sheet unpacks to gigabytes of rows: refused at the upload."""
    django_setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from union_portal.core.errors import ApplicationError
    from union_portal.imports import services as importing

    rows = 2_000_000
    cells = 10 if payload["shape"] == "wide" else 1  # wide: too many bytes; long: too many rows in few bytes
    row = (
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{"x" * 20}</t></is></c>' for _ in range(cells)) + "</row>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="s" sheetId="1"/></sheets></workbook>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            chunk = (row * 1000).encode()
            for _ in range(rows // 1000):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    raw = out.getvalue()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    started = time.perf_counter()
    try:
        importing.import_upload(by=staff_user(), file=SimpleUploadedFile("bomb.xlsx", raw), kind="members")
        code = "accepted"
    except ApplicationError as exc:
        code = exc.code
    return {
        "file_mb": len(raw) / 2**20,
        "unpacked_mb": unpacked / 2**20,
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "peak_mb": peak_mb(),
        "code": code,
    }


def import_bad_rows(payload: dict) -> dict:
    """A file with bad rows of every kind: the check must report each, with its reason."""
    django_setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.fakes import fake_mobile, fake_name
    from members.models import Member
    from members.resources import vocabulary as r
    from members.scale import IMPORT_ID_START, scale_id_number
    from union_portal.imports import services as importing
    from union_portal.organisations.models import MEMBER_UNION_KINDS, Organisation

    user = staff_user()
    union = Organisation.objects.filter(kind__in=MEMBER_UNION_KINDS).order_by("path").first()
    rng = random.Random(11)
    header = [r.NAME, r.ID_NUMBER, r.MOBILE, r.UNION, r.MIGRANT, r.JOIN_DATE]
    rows = [
        [
            fake_name(rng),
            scale_id_number(IMPORT_ID_START + 5_000_000 + i, True),
            fake_mobile(rng),
            union.name,
            "否",
            "",
        ]
        for i in range(1000)
    ]
    existing = Member.objects.open().order_by("pk").first().id_number
    bad_id = rows[10][1][:-1] + ("0" if rows[10][1][-1] != "0" else "1")
    planted = {
        10: ("wrong check digit", lambda row: row.__setitem__(1, bad_id)),
        50: ("unknown union", lambda row: row.__setitem__(3, "不存在的工会")),
        100: ("same ID number as row 2", lambda row: row.__setitem__(1, rows[0][1])),
        200: ("bad mobile", lambda row: row.__setitem__(2, "12345")),
        300: ("no name", lambda row: row.__setitem__(0, "")),
        400: ("ID number of an open membership", lambda row: row.__setitem__(1, existing)),
        500: ("migrant worker neither 是 nor 否", lambda row: row.__setitem__(4, "也许")),
        600: ("join date in the future", lambda row: row.__setitem__(5, "2999-01-01")),
        700: ("15-character garbage ID", lambda row: row.__setitem__(1, "ABCDEFGHIJKLMNO")),
        800: ("birth date in the future", lambda row: row.__setitem__(1, _future_id())),
        900: ("ID number in scientific notation", lambda row: row.__setitem__(1, "4.40607E+17")),
    }
    for index, (_kind, spoil) in planted.items():
        spoil(rows[index])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    job = importing.import_upload(
        by=user, file=SimpleUploadedFile("bad.csv", buffer.getvalue().encode("utf-8-sig")), kind="members"
    )
    job = importing.import_check(job=job)
    reported = {e["row"]: e for e in job.errors}
    expected_lines = {index + 2 for index in planted}  # header is line 1, rows[0] is line 2
    found = expected_lines & set(reported)
    with_reason = sum(1 for line in found if reported[line].get("message"))
    importing.import_cancel(job=job, by=user)
    return {
        "planted": len(planted),
        "reported": len(found),
        "extra": len(set(reported) - expected_lines),
        "with_reason": with_reason,
        "kinds": [kind for kind, _spoil in planted.values()],
        "status": job.status,
    }


def _future_id() -> str:
    import datetime as dt

    from members.fakes import id_number

    return id_number("440607", dt.date(2090, 1, 1), 1, True)

"""A damaged workbook (bad CRC) is a clear import error, never a 500 (issue 18.5).

``BadZipFile: Bad CRC-32`` is raised only when the damaged member is read to its end, so the file
passes the upload's directory checks and fails while its rows are read: both steps must turn it into
the import's own error, in the user's language.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from members.models import Member
from union_portal.core.errors import ApplicationError
from union_portal.imports import services as importing

from ..imports.files import excel_xlsx
from ..members.factories import next_id_number, next_mobile

HEAD = ["姓名", "身份证号", "手机号", "所属工会", "户籍类型", "技能等级", "是否农民工"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def _with_bad_crc(raw: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The same workbook with the sheet's CRC-32 wrong in both zip headers (what a broken copy gives)."""
    data = bytearray(raw)
    for signature, crc_at, length_at, name_at in ((b"PK\x03\x04", 14, 26, 30), (b"PK\x01\x02", 16, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            length = int.from_bytes(data[start + length_at : start + length_at + 2], "little")
            if data[start + name_at : start + name_at + length] == member.encode():
                crc = int.from_bytes(data[start + crc_at : start + crc_at + 4], "little")
                data[start + crc_at : start + crc_at + 4] = (crc ^ 0xFFFF).to_bytes(4, "little")
            start += 4
    return bytes(data)


def test_a_workbook_with_a_bad_crc_is_refused_with_a_clear_message(tree, people):
    rows = [[f"工人{i}", next_id_number(), next_mobile(), tree.union_a.name, "", "", ""] for i in range(30)]
    raw = _with_bad_crc(excel_xlsx([HEAD, *rows]))
    with pytest.raises(zipfile.BadZipFile):  # the damage is real: reading the sheet fails its CRC
        zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml")

    def upload_and_check():
        job = importing.import_upload(
            by=people.district_staff, file=SimpleUploadedFile("名单.xlsx", raw), kind="members"
        )
        return importing.import_check(job=job)

    with translation.override("zh-hans"), pytest.raises(ApplicationError) as refused:
        upload_and_check()

    assert refused.value.code == "bad_file"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))  # said in Chinese
    assert Member.objects.count() == 0

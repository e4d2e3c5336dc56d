import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from union_portal.core.validators import normalize_mobile, normalize_uscc, parse_id_number


@pytest.mark.parametrize(
    ("raw", "number", "birth", "sex"),
    [
        ("11010519491231002X", "11010519491231002X", dt.date(1949, 12, 31), "F"),
        ("11010519491231002x", "11010519491231002X", dt.date(1949, 12, 31), "F"),  # lower-case x
        (" 440524 19800101 0013 ", "440524198001010013", dt.date(1980, 1, 1), "M"),
        # 三水 was 440683 and became 440607 in 2002: a 1990 birth with a 440607 number is real.
        ("440607199003070013", "440607199003070013", dt.date(1990, 3, 7), "M"),
        # Old 15-digit numbers are converted, not rejected.
        ("440683900307001", "44068319900307001X", dt.date(1990, 3, 7), "M"),
    ],
)
def test_good_id_numbers(raw, number, birth, sex):
    parsed = parse_id_number(raw)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (number, birth, sex)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_required"),
        ("44060719900307001", "id_length"),
        ("4406071990030700171", "id_length"),
        ("44060719900307001A", "id_format"),
        ("440607199003070017", "id_checksum"),
        ("440607199002300016", "id_birth_date"),  # 30 February
        ("440607209901010010", "id_birth_date"),  # future
        ("990607199003070010", "id_province"),
    ],
)
def test_bad_id_numbers(raw, code):
    with pytest.raises(ValidationError) as info:
        parse_id_number(raw, today=dt.date(2026, 11, 23))
    assert info.value.code == code


def test_uscc():
    assert normalize_uscc("91350100m000100y43") == "91350100M000100Y43"
    for bad, code in [
        ("91350100M000100Y44", "uscc_checksum"),
        ("9135", "uscc_length"),
        ("91350100M000100I43", "uscc_format"),
    ]:
        with pytest.raises(ValidationError) as info:
            normalize_uscc(bad)
        assert info.value.code == code


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "138-1234-5678", "8613812345678"])
def test_good_mobiles(raw):
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["", "1381234567", "23812345678", "075787654321", "abc", "+1 415 555 0100"])
def test_bad_mobiles(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)


def test_full_width_input_is_read_as_ascii():
    # Chinese input methods type full-width digits and letters: same number, same blind index.
    assert parse_id_number("４４０６０７１９９００３０７００１３").number == "440607199003070013"
    assert parse_id_number("11010519491231002ｘ").number == "11010519491231002X"


@pytest.mark.parametrize("raw", ["440607١99003070013", "44060719900307001३"])
def test_other_unicode_digits_are_rejected(raw):
    # int() reads Arabic-Indic and Devanagari digits; stored as such they would escape the duplicate check.
    with pytest.raises(ValidationError) as info:
        parse_id_number(raw)
    assert info.value.code == "id_format"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ('\x01=HYPERLINK("http://x")', "invalid_characters"),  # a control character before a formula
        ("\u202eexe.txt", "invalid_characters"),  # a bidi override
        ("陈\x85明", "invalid_characters"),  # a C1 control
        ("\u200b\u200b", "required"),  # only zero-width characters: nothing left
        ("职" * 101, "too_long"),  # refused, never cut
    ],
)
def test_free_text_refuses_what_a_person_cannot_see(value, code):
    from union_portal.core.validators import clean_text

    with pytest.raises(ValidationError) as caught:
        clean_text(value, max_length=100, required=True)
    assert caught.value.code == code


def test_free_text_drops_invisible_characters_and_keeps_line_breaks_where_allowed():
    from union_portal.core.validators import clean_text

    assert clean_text(" 张\u200b三\ufeff ") == "张三"
    assert clean_text("第一行\r\n第二行\t完", multiline=True) == "第一行\n第二行\t完"
    with pytest.raises(ValidationError):
        clean_text("第一行\n第二行")

"""Generators of realistic, valid identifiers and names for demo, scale and test data.

Seeded ``random.Random`` instances only: the same seed gives the same district.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import uscc

from union_portal.core.validators import id_check_digit

SURNAMES = "陈李黄张梁何吴林刘罗郭杨周冯麦邓区谭卢邝苏曾潘钟赵冼关叶徐朱欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红志文建国海燕家俊嘉欣晓婷子豪浩然梓轩诗琪"
# Counties that issue numbers to people of the district: Sanshui (old city code and new district code),
# other Foshan districts, and the home counties of many migrant workers.
LOCAL_COUNTIES = ["440607", "440683", "440604", "440605", "440606", "440608"]
MIGRANT_COUNTIES = ["430521", "450881", "510722", "362430", "411522", "421127", "522121", "441881"]


def fake_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES[:-2]) if rng.random() > 0.01 else "欧阳"
    size = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(size))


def id_number(county: str, birth: dt.date, sequence: int, male: bool) -> str:
    """A valid 18-character ID number: county, birth date, 3-digit sequence with sex parity, check digit."""
    seq = sequence % 500 * 2 + (1 if male else 0)
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


def fake_id_number(
    rng: random.Random,
    *,
    local: bool | None = None,
    min_age: int = 18,
    max_age: int = 60,
    today: dt.date | None = None,
) -> str:
    today = today or dt.date(2026, 1, 1)
    local = rng.random() < 0.6 if local is None else local
    county = rng.choice(LOCAL_COUNTIES if local else MIGRANT_COUNTIES)
    birth = today - dt.timedelta(days=rng.randint(min_age * 365, max_age * 365))
    return id_number(county, birth, rng.randint(0, 499), rng.random() < 0.55)


def unique_id_numbers(count: int, seed: int = 1, start: int = 0):
    """``count`` distinct valid ID numbers, repeatable: the sequence number makes them distinct."""
    rng = random.Random(seed)
    counties = LOCAL_COUNTIES + MIGRANT_COUNTIES
    base = dt.date(1966, 1, 1)
    for i in range(start, start + count):
        county = counties[i % len(counties)]
        day, seq = divmod(i // len(counties), 500)
        birth = base + dt.timedelta(days=day % 14600)  # forty years of birth dates
        county_shift = day // 14600
        if county_shift:
            county = county[:4] + f"{(int(county[4:]) + county_shift) % 100:02d}"
        yield id_number(county, birth, seq, rng.random() < 0.55)


def fake_mobile(rng: random.Random) -> str:
    return rng.choice(
        ["138", "139", "137", "136", "135", "150", "151", "158", "159", "186", "188", "189", "177"]
    ) + (f"{rng.randint(0, 99999999):08d}")


def fake_credit_code(rng: random.Random, region: str = "440607") -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)

"""Pinyin of people's names, for search and sort: staff type ``zhangsan`` or ``zs`` as often as 张三.

A surname is read as a surname: pypinyin reads characters with their most common reading, which
for many surnames is not the surname's (区 qu, but the surname is Ōu; 曾 ceng, surname Zēng; 单 dan,
surname Shàn), and it cannot tell a compound surname (万俟 Mòqí, 尉迟 Yùchí, 长孙 Zhǎngsūn) from
two surnames' worth of characters. So the first one or two characters of a name are looked up in
:data:`COMPOUND_SURNAMES` and :data:`SURNAMES` first, and the rest of the name is read by pypinyin.

People do not all know the surname reading (and some families use the common one: 乐嘉 is Lè
Jiā, 覃 is Tán in much of Guangxi), so when the two readings differ both are kept: the surname
reading in ``name_pinyin``/``name_initials`` (what the lists sort by) and the common reading in
``name_pinyin_alt``/``name_initials_alt``; search looks at both.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin
from pypinyin.converter import DefaultConverter
from pypinyin.seg.simpleseg import seg

#: Compound surnames (复姓), as syllables. Listed are those pypinyin would misread (单于 is not
#: 单 Shàn + 于) and those whose first or second character is in SURNAMES below (长孙 is not
#: 长 Cháng + 孙), plus the common ones, so that the given name after them is read on its own.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
    "长孙": ("zhang", "sun"),
    "乐正": ("yue", "zheng"),
    "子车": ("zi", "ju"),
    "令狐": ("ling", "hu"),
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"),
    "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"),
    "夏侯": ("xia", "hou"),
    "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"),
    "宇文": ("yu", "wen"),
    "司徒": ("si", "tu"),
    "司空": ("si", "kong"),
    "呼延": ("hu", "yan"),
    "端木": ("duan", "mu"),
    "独孤": ("du", "gu"),
    "南宫": ("nan", "gong"),
    "闻人": ("wen", "ren"),
    "轩辕": ("xuan", "yuan"),
    "宗政": ("zong", "zheng"),
    "濮阳": ("pu", "yang"),
    "淳于": ("chun", "yu"),
    "鲜于": ("xian", "yu"),
    "太叔": ("tai", "shu"),
    "申屠": ("shen", "tu"),
    "公冶": ("gong", "ye"),
    "钟离": ("zhong", "li"),
    "拓跋": ("tuo", "ba"),
    "完颜": ("wan", "yan"),
    "亓官": ("qi", "guan"),
    "东郭": ("dong", "guo"),
    "百里": ("bai", "li"),
    "谷梁": ("gu", "liang"),
    "左丘": ("zuo", "qiu"),
    "西门": ("xi", "men"),
    "第五": ("di", "wu"),
    "公羊": ("gong", "yang"),
}

#: Single-character surnames read differently as surnames (多音字姓氏), with their surname reading.
SURNAMES: dict[str, str] = {
    "区": "ou",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "乐": "yue",
    "盖": "ge",
    "缪": "miao",
    "翟": "zhai",
    "覃": "qin",
    "种": "chong",
    "繁": "po",
    "员": "yun",
    "召": "shao",
    "能": "nai",
    "隗": "wei",
    "折": "she",
    "祭": "zhai",
    "句": "gou",
    "卜": "bu",
    "秘": "bi",
    "黑": "he",
    "洗": "xian",
    "都": "du",
    "蕃": "pi",
    "粘": "nian",
    "阚": "kan",
    "藏": "zang",
    "番": "pan",
    "宓": "fu",
    "长": "chang",
    "薄": "bo",
    "冼": "xian",
    "纪": "ji",
    "华": "hua",
    "燕": "yan",
    "尉": "wei",
    "宿": "su",
    "车": "che",
    "褚": "chu",
    "沈": "shen",
    "牟": "mou",
    "瞿": "qu",
}


class NameKeys(NamedTuple):
    """What a name is searched and sorted by."""

    pinyin: str
    initials: str
    pinyin_alt: str = ""  # the common reading, when it differs from the surname reading
    initials_alt: str = ""


PINYIN_MAX = 200
INITIALS_MAX = 20


def _keys(syllables: list[str], initials: list[str]) -> tuple[str, str]:
    return "".join(syllables).lower()[:PINYIN_MAX], "".join(initials).lower()[:INITIALS_MAX]


def surname_of(name: str) -> tuple[str, tuple[str, ...]] | None:
    """The surname at the start of ``name`` with its syllables, if it is one pypinyin may misread."""
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], COMPOUND_SURNAMES[name[:2]]
    if len(name) > 1 and name[0] in SURNAMES:
        return name[0], (SURNAMES[name[0]],)
    return None


_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")


_CONVERTER = DefaultConverter()


@functools.lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    """The syllables pypinyin gives one word of its segmentation (a phrase of its dictionary, a
    character, or a run of other characters): what ``lazy_pinyin`` does with each word, cached."""
    return tuple(
        s for item in _CONVERTER.convert(word, Style.NORMAL, False, "default", strict=True) for s in item
    )


def _syllables(text: str) -> list[str]:
    """``lazy_pinyin(text)``, word by word: pypinyin cuts ``text`` into words (its own segmentation,
    so a phrase keeps the reading it has in the phrase dictionary) and reads each word on its own;
    names share their characters, so each word is read once per process."""
    out: list[str] = []
    for word in seg(text):
        out += _word_syllables(word)
    return out


def _readings(text: str) -> tuple[list[str], list[str]]:
    """The syllables of ``text`` and their first letters. A text of Chinese characters only is read
    once (each character gives one syllable, whose first letter is pypinyin's FIRST_LETTER: checked
    for every character of the block); anything else is read in both styles."""
    syllables = _syllables(text)
    if _HAN_ONLY.fullmatch(text):
        return syllables, [s[0] for s in syllables]
    return syllables, lazy_pinyin(text, style=Style.FIRST_LETTER)


@functools.lru_cache(maxsize=65536)  # a pure function of the name, and half the cost of importing a row
def name_search_keys(name: str) -> NameKeys:
    """Pinyin and initials of a Chinese name, surname read as a surname: 区伟强 -> ouweiqiang, owq
    (and the common reading quweiqiang, qwq)."""
    common = _keys(*_readings(name))
    found = surname_of(name)
    if found is None:
        return NameKeys(*common)
    surname, syllables = found
    rest = name[len(surname) :]
    rest_syllables, rest_initials = _readings(rest)
    as_surname = _keys([*syllables, *rest_syllables], [*(s[0] for s in syllables), *rest_initials])
    if as_surname == common:
        return NameKeys(*common)
    return NameKeys(*as_surname, *common)

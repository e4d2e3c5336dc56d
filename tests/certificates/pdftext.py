"""Just enough of a PDF reader to test what WeasyPrint wrote, without a PDF library.

WeasyPrint (pydyf) compresses every stream and packs objects in object streams; the text is drawn
with embedded font subsets whose glyph ids map back to characters through a ToUnicode CMap. So:
inflate every stream, read the CMaps, decode the hex strings of the content streams with each CMap.
"""

from __future__ import annotations

import re
import zlib


def streams(pdf: bytes) -> list[bytes]:
    parts = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        raw = pdf[start : pdf.find(b"endstream", start)]
        try:
            parts.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            parts.append(raw)
    return parts


def _cmaps(parts: list[bytes]) -> list[dict[int, str]]:
    maps = []
    for part in parts:
        if b"begincmap" not in part:
            continue
        mapping: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", part, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", part, re.S):
            for first, last, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                base = int(dst, 16)
                for offset, glyph in enumerate(range(int(first, 16), int(last, 16) + 1)):
                    mapping[glyph] = chr(base + offset)
        maps.append(mapping)
    return maps


def texts(pdf: bytes) -> list[str]:
    """The page's text as decoded with each embedded font's CMap (one string per font)."""
    parts = streams(pdf)
    drawn = [h.decode() for p in parts if b" Tf" in p for h in re.findall(rb"<([0-9A-Fa-f]+)>", p)]
    return [
        "".join(mapping.get(int(h[i : i + 4], 16), "") for h in drawn for i in range(0, len(h), 4))
        for mapping in _cmaps(parts)
    ]


def fonts(pdf: bytes) -> set[str]:
    """Names of the embedded fonts (subset prefix removed)."""
    names = set()
    for part in [pdf, *streams(pdf)]:
        for name in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", part):
            names.add(name.decode().split("+", 1)[-1])
    return names


def path_segments(pdf: bytes) -> int:
    """Move-to and line-to operators of the content streams: a QR code drawn from SVG is hundreds."""
    return sum(len(re.findall(rb"\s[ml]\n", part)) for part in streams(pdf) if b" Tf" in part)

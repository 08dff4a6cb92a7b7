"""Text helpers shared by every stage: Unicode normalisation and personal-data detection."""

from __future__ import annotations

import re
import unicodedata


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_ok(number: str) -> bool:
    """GB 11643: the 18th character is the mod-11 check of the first 17 digits."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def personal_data(text: str) -> list[str]:
    """Kinds of personal data found in ``text`` ("身份证号", "手机号"), each once."""
    plain = nfkc(text)
    kinds: list[str] = []
    if any(id_check_ok(m) for m in _ID_NUMBER.findall(plain)):
        kinds.append("身份证号")
    if _MOBILE.search(plain):
        kinds.append("手机号")
    return kinds

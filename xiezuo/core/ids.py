"""Chinese resident ID numbers (GB 11643-1999): normalise, parse, check, make and mask.

An ID number is 17 digits and a check character: a 6-digit region code, an 8-digit birth
date, a 3-digit sequence (odd for men, even for women) and the ISO 7064 MOD 11-2 check
character (`0`–`9` or `X`). Disability certificate numbers are the ID number followed by
category and grade digits: 20 characters, 22 in some systems.

Ledgers carry what officials' spreadsheets really hold: full-width digits, lower-case x,
spaces, an Excel text apostrophe, and numbers Excel stored as floats. `normalise_id` repairs
only what is unambiguous and never guesses a digit: a number that lost digits is rejected and
the official is told to store the column as text.

Error messages never repeat the number itself, so they are safe to log and to show to roles
that may not see ID numbers.
"""

import operator
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from xiezuo.core.errors import XiezuoError

if TYPE_CHECKING:
    # numpy makes ID numbers in bulk (the demo); checking and masking one never needs it.
    import numpy as np

__all__ = [
    "FEMALE",
    "MALE",
    "IdNumber",
    "IdNumberError",
    "Reason",
    "check_digit",
    "make_id",
    "make_ids",
    "mask_id",
    "mask_name",
    "normalise_id",
    "parse_id",
]

MALE = "男"
FEMALE = "女"

# Provinces of GB/T 2260 (first two digits of a region code). 71 is Taiwan's GB/T 2260 code,
# 81 and 82 are Hong Kong's and Macao's (used by their residents' residence permits).
PROVINCE_PREFIXES = frozenset(
    f"{p:02d}"
    for p in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
ID_LENGTH = 18
# An ID number alone, or a disability certificate number (ID + category + grade [+ 2 more]).
ACCEPTED_LENGTHS = (18, 20, 22)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Each digit is its ASCII code less 48, so the weighted sum of the codes is too big by
# 48 × sum(weights): subtracting that once lets `map(mul, ...)` work on the raw bytes.
_ASCII_OFFSET = 48 * sum(_WEIGHTS)
_CHECK_CHARACTERS = "10X98765432"
_CHINA = ZoneInfo("Asia/Shanghai")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_DIGITS = frozenset("0123456789")
_ID_CHARACTERS = _DIGITS | {"X"}
# Full-width digits and X (what Chinese input methods type) and lower-case x.
_TO_ASCII = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X", "x": "X"}
)
# Characters that copying from web pages and Word leaves behind and that str.split() keeps.
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
# Excel's text prefix (a leading apostrophe) and the quotes CSV exports wrap text in.
_QUOTES = "'\"‘’“”＇＂`"
_NUMERIC_TEXT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Above 2**53 a float no longer holds every integer; every 18-digit number is above it.
_LARGEST_EXACT_FLOAT = 2**53


class Reason(StrEnum):
    """Why an ID number was rejected; compares equal to its code string."""

    EMPTY = "empty"
    LENGTH = "length"
    CHARACTERS = "characters"
    DIGITS_LOST = "digits_lost"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    CHECKSUM = "checksum"


_DIGITS_LOST_MESSAGE = (
    "身份证号码在Excel中被存成了数字，超出15位有效数字的部分已经丢失"
    "（显示为科学计数法，或末几位变成了0）。请把该列的单元格格式设为“文本”，"
    "再按原始材料重新录入号码。"
)


class IdNumberError(XiezuoError, ValueError):
    """An ID number that cannot be accepted; `reason` says why, the message says it in Chinese."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message, reason=str(reason))
        self.reason = reason


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A checked ID number; `suffix` holds the extra digits of a disability certificate number."""

    number: str
    region_code: str
    birth_date: date
    sex: str
    suffix: str = ""

    def __str__(self) -> str:
        return self.number + self.suffix

    @property
    def full(self) -> str:
        """Return the number as written: the ID number followed by any certificate digits."""
        return self.number + self.suffix


def normalise_id(raw: object) -> str:
    """Return `raw` in canonical form: ASCII digits, upper-case X, nothing else.

    The result is 18 characters (17 digits and a check character) or, for a disability
    certificate number, 20 or 22 with digits after the ID number. Only the shape is checked;
    `parse_id` checks the region, birth date and check character.

    A Python int is exact and is taken as written. A float above 2**53 cannot hold an ID
    number's digits and is always rejected as `digits_lost`; so is text in scientific notation
    that does not spell out every digit. Text such as "130723199001011234.0" keeps every digit
    and is accepted.
    """
    if raw is None:
        raise IdNumberError(Reason.EMPTY, "身份证号码为空。")
    if isinstance(raw, str):
        return _normalise_text(raw)
    if isinstance(raw, bool) or _is_numpy_bool(raw):
        raise _not_an_id_number(raw)
    if isinstance(raw, Integral):
        if int(raw) < 0:
            raise _not_an_id_number(raw)
        return _check_shape(str(int(raw)))
    if isinstance(raw, Decimal):
        return _normalise_decimal(raw)
    if isinstance(raw, Real):
        return _normalise_float(float(raw))
    raise _not_an_id_number(raw)


def parse_id(raw: object, *, today: date | None = None) -> IdNumber:
    """Return the checked ID number in `raw`; raise IdNumberError with the first problem found.

    Checks, in order: the shape (see `normalise_id`), the province of the region code, the
    birth date (a real date from 1900-01-01 to `today`, by default today in China), and the
    check character.
    """
    text = normalise_id(raw)
    number, suffix = text[:ID_LENGTH], text[ID_LENGTH:]
    if number[:2] not in PROVINCE_PREFIXES:
        raise IdNumberError(Reason.REGION, "身份证号码前两位不是有效的省级行政区划代码。")
    birth_date = _birth_date(number[6:14], today or datetime.now(_CHINA).date())
    if check_digit(number[:17]) != number[17]:
        if _came_through_a_number(raw) or number.endswith("000"):
            # Excel keeps 15 significant digits and pads with zeros: a number that arrived as
            # a number (or as "….0" text), or ends in 000, and fails its check was almost
            # surely cut by Excel or a float on the way.
            raise IdNumberError(Reason.DIGITS_LOST, "身份证号码校验位不符。" + _DIGITS_LOST_MESSAGE)
        raise IdNumberError(
            Reason.CHECKSUM, "身份证号码校验位不符，号码中有录入错误，请核对原始证件。"
        )
    sex = MALE if int(number[16]) % 2 else FEMALE
    return IdNumber(number, number[:6], birth_date, sex, suffix)


def check_digit(first17: str) -> str:
    """Return the check character (`0`–`9` or `X`) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("校验位只能由17位数字计算。")
    total = sum(map(operator.mul, _WEIGHTS, first17.encode())) - _ASCII_OFFSET
    return _CHECK_CHARACTERS[total % 11]


def make_id(region_code: str, birth_date: date, sequence: int) -> str:
    """Return the valid ID number for a region, birth date and sequence (odd = male).

    The birth date must be from 1900-01-01 on; a date in the future makes a number that
    `parse_id` will reject.
    """
    if (
        len(region_code) != 6
        or not (region_code.isascii() and region_code.isdigit())
        or region_code[:2] not in PROVINCE_PREFIXES
    ):
        raise ValueError(f"不是有效的县级区划代码: {region_code!r}")
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValueError("出生日期不能早于1900年1月1日。")
    if not 0 <= sequence <= 999:
        raise ValueError("顺序码必须在0到999之间。")
    body = (
        f"{region_code}{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
        f"{sequence:03d}"
    )
    return body + check_digit(body)


def make_ids(
    region_codes: "str | int | Sequence[str] | Sequence[int] | np.ndarray",
    birth_dates: "date | Sequence[date] | np.ndarray",
    sequences: "int | Sequence[int] | np.ndarray",
) -> list[str]:
    """Return `make_id(r, b, s)` for each triple, computed with numpy.

    The three arguments broadcast against each other, so one region code or one birth date
    may stand for all. Region codes may be 6-digit strings or ints; birth dates may be `date`
    objects or a `datetime64` array.
    """
    import numpy as np

    regions = _region_array(np.asarray(region_codes))
    births = _date_array(birth_dates)
    seqs = np.asarray(sequences)
    if seqs.size == 0:
        seqs = seqs.astype(np.int64)
    if seqs.dtype.kind not in "iu":
        raise ValueError("顺序码必须是整数。")
    regions, births, seqs = np.broadcast_arrays(regions, births, seqs)
    regions, births, seqs = regions.ravel(), births.ravel(), seqs.ravel().astype(np.int64)

    provinces = np.zeros(100, dtype=bool)
    provinces[[int(p) for p in PROVINCE_PREFIXES]] = True
    if regions.size and (
        regions.min() < 100_000 or regions.max() > 999_999 or not provinces[regions // 10_000].all()
    ):
        raise ValueError("区划代码中有无效的县级区划代码。")
    if (
        np.isnat(births).any()
        or (births < np.datetime64(EARLIEST_BIRTH_DATE, "D")).any()
        or (births > np.datetime64(date.max, "D")).any()  # a datetime64 may pass year 9999
    ):
        raise ValueError("出生日期不能为空，须在1900年1月1日至9999年12月31日之间。")
    if seqs.size and (seqs.min() < 0 or seqs.max() > 999):
        raise ValueError("顺序码必须在0到999之间。")

    months = births.astype("datetime64[M]")
    year = births.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (births - months).astype(np.int64) + 1
    body = regions * 10**11 + (year * 10_000 + month * 100 + day) * 1_000 + seqs

    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = digits @ np.array(_WEIGHTS, dtype=np.int64) % 11
    ascii_codes = np.empty((body.size, ID_LENGTH), dtype=np.uint8)
    ascii_codes[:, :17] = digits + ord("0")
    ascii_codes[:, 17] = np.frombuffer(_CHECK_CHARACTERS.encode(), dtype=np.uint8)[check]
    return ascii_codes.view(f"S{ID_LENGTH}").ravel().astype(f"U{ID_LENGTH}").tolist()


def mask_id(number: str) -> str:
    """Return the number with its birth date hidden: `130723********1234`.

    The first 6 characters (the region) and everything from the 15th on stay; a disability
    certificate number keeps its length. Anything that is not a well-formed number is masked
    whole, so no input ever shows its birth date.
    """
    try:
        text = normalise_id(number)
    except IdNumberError:
        return "*" * len(str(number or ""))
    return text[:6] + "*" * 8 + text[14:]


def mask_name(name: str) -> str:
    """Return the name with every character after the first hidden: 张三丰 → 张**."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _normalise_text(raw: str) -> str:
    text = "".join(raw.split()).translate(_INVISIBLE).strip(_QUOTES).translate(_TO_ASCII)
    if not text:
        raise IdNumberError(Reason.EMPTY, "身份证号码为空。")
    if ("." in text or "e" in text or "E" in text) and _NUMERIC_TEXT.fullmatch(text):
        return _normalise_decimal(Decimal(text))
    return _check_shape(text)


def _normalise_decimal(value: Decimal) -> str:
    if value.is_nan():
        raise IdNumberError(Reason.EMPTY, "身份证号码为空。")
    if not value.is_finite() or value.is_signed():
        raise _not_an_id_number(value)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, so not "n"/"N"/"F"
    if exponent > 0:
        # Scientific notation with fewer digits than the number has: the rest are gone.
        raise IdNumberError(Reason.DIGITS_LOST, _DIGITS_LOST_MESSAGE)
    if value != value.to_integral_value():
        raise IdNumberError(Reason.CHARACTERS, "身份证号码不能带有小数。")
    return _check_shape(str(int(value)))


def _normalise_float(value: float) -> str:
    if value != value:  # NaN: how pandas and polars spell an empty cell
        raise IdNumberError(Reason.EMPTY, "身份证号码为空。")
    if value in (float("inf"), float("-inf")) or value < 0:
        raise _not_an_id_number(value)
    if abs(value) >= _LARGEST_EXACT_FLOAT:
        raise IdNumberError(Reason.DIGITS_LOST, _DIGITS_LOST_MESSAGE)
    if not value.is_integer():
        raise IdNumberError(Reason.CHARACTERS, "身份证号码不能带有小数。")
    return _check_shape(str(int(value)))


def _check_shape(text: str) -> str:
    if not _ID_CHARACTERS.issuperset(text):
        raise IdNumberError(Reason.CHARACTERS, "身份证号码只能由数字和末位的X组成。")
    if "X" in text[:17] or "X" in text[18:]:
        raise IdNumberError(Reason.CHARACTERS, "身份证号码中的X只能出现在第18位。")
    if len(text) not in ACCEPTED_LENGTHS:
        if len(text) == 15:
            message = "这是15位的第一代身份证号码，请换成18位号码。"
        else:
            message = f"身份证号码应为18位（残疾人证号为20或22位），这里是{len(text)}位。"
        raise IdNumberError(Reason.LENGTH, message)
    return text


def _birth_date(digits: str, today: date) -> date:
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError(Reason.BIRTH_DATE, "身份证号码第7至14位不是有效的出生日期。") from None
    if not EARLIEST_BIRTH_DATE <= birth_date <= today:
        raise IdNumberError(Reason.BIRTH_DATE, "身份证号码中的出生日期早于1900年或晚于今天。")
    return birth_date


def _date_array(birth_dates: "Sequence[date] | np.ndarray | date") -> "np.ndarray":
    import numpy as np

    if isinstance(birth_dates, date):
        birth_dates = [birth_dates]
    if not isinstance(birth_dates, np.ndarray):
        # Ten times faster than letting numpy convert each date object.
        try:
            ordinals = np.fromiter(map(date.toordinal, birth_dates), dtype=np.int64)
        except TypeError:
            raise ValueError("出生日期必须是日期。") from None
        return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
    if birth_dates.dtype.kind != "M":
        raise ValueError("出生日期必须是日期。")
    return birth_dates.astype("datetime64[D]")


def _region_array(regions: "np.ndarray") -> "np.ndarray":
    import numpy as np

    if regions.dtype.kind in "iu" or regions.size == 0:
        return regions.astype(np.int64)
    if regions.dtype.kind != "U":
        raise ValueError("区划代码必须是6位数字的字符串或整数。")
    # Look at the code points themselves: str→int casting would also take "+1234" or "١٢".
    codes = np.ascontiguousarray(regions, dtype="U6")
    points = codes.view(np.uint32).reshape(*codes.shape, 6)
    if (
        not (np.strings.str_len(regions) == 6).all()
        or not ((points >= ord("0")) & (points <= ord("9"))).all()
    ):
        raise ValueError("区划代码必须是6位数字。")
    return (points.astype(np.int64) - ord("0")) @ (10 ** np.arange(5, -1, -1, dtype=np.int64))


def _is_numpy_bool(raw: object) -> bool:
    # A numpy boolean can only come from a loaded numpy: no need to import it to tell.
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(raw, numpy.bool_)


def _came_through_a_number(raw: object) -> bool:
    if isinstance(raw, str):
        return any(c in raw for c in ".eE")
    return isinstance(raw, Integral | Decimal)


def _not_an_id_number(raw: Any) -> IdNumberError:
    return IdNumberError(Reason.CHARACTERS, f"不是身份证号码（{type(raw).__name__}）。")

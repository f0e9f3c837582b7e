"""Dates, amounts and head counts in a bulletin's sentences.

Dates: `2019年6月10日`, `6月10日`, `4月13日至14日`, `6月10日至11日`, `12月30日至1月2日`,
`2019年12月30日至2020年1月2日` (至, 到, -, —, ～ join a range). A date without a year takes the
publish date's year; when that puts it more than 31 days after the publish date, the text
meant the previous year (a bulletin of 2019-01-03 reporting 12月30日). A range whose end month
is before its start month ends in the next year.

Amounts: `3600万元` → 3600, `1.2亿元` → 12000, `500元` → 0.05, `3,600万元`, and Chinese
numerals (`三千万元`, `一千二百万元`), all in 万元.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

_JOIN = r"\s*(?:至|到|—|–|-|－|~|～)\s*"
_DATE_RANGE = re.compile(
    r"(?:(?P<y1>\d{4})\s*年\s*)?(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日?"
    rf"(?:{_JOIN}(?:(?:(?P<y2>\d{{4}})\s*年\s*)?(?P<m2>\d{{1,2}})\s*月\s*)?(?P<d2>\d{{1,2}})\s*日)?"
)
_AFTER_GRACE = timedelta(days=31)


@dataclass(frozen=True)
class DateSpan:
    start: date
    end: date | None  # None for a one-day event

    def iso(self) -> tuple[str, str | None]:
        return self.start.isoformat(), self.end.isoformat() if self.end else None


def _year_for(month: int, day: int, published: date) -> int:
    year = published.year
    try:
        if date(year, month, day) - published > _AFTER_GRACE:
            return year - 1
    except ValueError:
        pass
    return year


def find_dates(text: str, published: date) -> list[DateSpan]:
    """The dates and date ranges in `text`, in order."""
    spans = []
    for match in _DATE_RANGE.finditer(text):
        whole = match.group(0)
        if match["d2"] is None and not whole.rstrip().endswith("日"):
            continue
        try:
            m1, d1 = int(match["m1"]), int(match["d1"])
            y1 = int(match["y1"]) if match["y1"] else _year_for(m1, d1, published)
            start = date(y1, m1, d1)
            end = None
            if match["d2"] is not None:
                m2 = int(match["m2"]) if match["m2"] else m1
                d2 = int(match["d2"])
                # No year on the end: a month before the start's is in the next year.
                y2 = int(match["y2"]) if match["y2"] else y1 + (1 if m2 < m1 else 0)
                end = date(y2, m2, d2)
                if end <= start:
                    end = None
        except ValueError:
            continue
        spans.append(DateSpan(start, end))
    return spans


_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = "零〇一二两三四五六七八九十百千"


def chinese_number(text: str) -> int | None:
    """三千 → 3000, 一千二百 → 1200, 十五 → 15; None when `text` is not such a number."""
    if not text or any(ch not in _DIGITS and ch not in _SMALL_UNITS for ch in text):
        return None
    total = 0
    digit = 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
    return total + digit


_AMOUNT = re.compile(
    rf"(?P<number>\d+(?:[,，]\d{{3}})*(?:\.\d+)?|[{_CN_NUMBER}]+)\s*(?:余|多)?\s*"
    r"(?P<unit>亿元|万元|亿|万|元)"
)
_UNIT_WAN = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": Decimal(1),
    "万": Decimal(1),
    "元": Decimal("0.0001"),
}


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    wan_yuan: Decimal


def find_amounts(text: str) -> list[Amount]:
    """The amounts of money in `text`, in 万元 (`万` and `亿` alone count only before 元)."""
    found = []
    for match in _AMOUNT.finditer(text):
        unit = match["unit"]
        if unit in ("万", "亿"):
            continue  # 3600万 without 元: people or items, not money
        number = match["number"].replace(",", "").replace("，", "")
        if number[0].isdigit():
            try:
                value = Decimal(number)
            except InvalidOperation:
                continue
        else:
            parsed = chinese_number(number)
            if parsed is None:
                continue
            value = Decimal(parsed)
        found.append(Amount(match.start(), match.end(), _normal(value * _UNIT_WAN[unit])))
    return found


def _normal(value: Decimal) -> Decimal:
    """Drop trailing zeros (3600.0000 → 3600), never an exponent."""
    text = format(value.normalize(), "f")
    return Decimal(text)


_PERSON_TIMES = re.compile(r"(\d+(?:[,，]\d{3})*)\s*人次")
# Without 人次: "210名学员参加培训", "培训乡村医生150人".
_TRAINED = (
    re.compile(r"(\d+(?:[,，]\d{3})*)\s*(?:名|人|位)[^，,。；0-9]{0,8}?(?:参加培训|参训|接受培训)"),
    re.compile(r"培训[^，,。；0-9]{0,10}?(\d+(?:[,，]\d{3})*)\s*(?:名|人)"),
)
_POOR_LABOURERS = (
    re.compile(r"(\d+(?:[,，]\d{3})*)\s*(?:名|人|位)(?:建档立卡)?(?:农村)?贫困劳动力"),
    re.compile(r"贫困劳动力[^，,。；0-9]{0,8}?(\d+(?:[,，]\d{3})*)\s*(?:名|人)"),
)
_COUNT = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*(?:名|位|批)")


def _int(text: str) -> int:
    return int(text.replace(",", "").replace("，", ""))


def find_person_times(text: str) -> int | None:
    """Person-times of a training: N人次, else the people trained (N名学员参加培训)."""
    match = _PERSON_TIMES.search(text)
    if match:
        return _int(match[1])
    for pattern in _TRAINED:
        match = pattern.search(text)
        if match:
            return _int(match[1])
    return None


def find_poor_labourers(text: str) -> int | None:
    for pattern in _POOR_LABOURERS:
        match = pattern.search(text)
        if match:
            return _int(match[1])
    return None


def find_count(text: str) -> int | None:
    match = _COUNT.search(text)
    if match is None:
        return None
    number = match[1]
    return int(number) if number.isdigit() else chinese_number(number)

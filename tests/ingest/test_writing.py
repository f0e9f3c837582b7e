"""Templates, exports in template form, and annotated error workbooks (`xiezuo.ingest.writing`)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.access import Access, Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.core import codelists
from xiezuo.core.errors import ScopeError
from xiezuo.core.ids import make_id
from xiezuo.ingest import catalog, writing
from xiezuo.ingest.reading import read_table
from xiezuo.ingest.services import import_file
from xiezuo.ingest.writing import annotated_workbook, export_ledger, template_workbook
from xiezuo.labour.models import Post
from xiezuo.ledgers.models import (
    Agreement,
    Donation,
    Fund,
    Investment,
    LabourTransfer,
    Meeting,
    Project,
    ProjectBeneficiary,
    Purchase,
    Secondment,
    SubPairing,
    Training,
    Visit,
)
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure
from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household, Income

LEDGER_KEYS = list(catalog.ledgers())


def operator():
    """Return the access of the operator at the machine, over the small programme."""
    return Access.operator(Programme.objects.get(key="small"))


def office(role, region):
    """Return the access of a user holding one grant over the small programme."""
    user, _ = User.objects.get_or_create(username=f"{role}-{region}")
    grant_give(user=user, role=role, region_code=region)
    return access_for(user=user, programme=Programme.objects.get(key="small"))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def _rows(path, *, first=4):
    if str(path).endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))[first - 1 :]
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows(min_row=first, values_only=True)]


def _validation_at(sheet, cell):
    return [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]


# --- templates -------------------------------------------------------------------------------


def test_public_surface():
    """The package exports exactly its documented API."""
    assert set(writing.__all__) == {
        "ExportError",
        "annotated_workbook",
        "export_file_name",
        "export_ledger",
        "ledger_rows",
        "template_file_name",
        "template_workbook",
        "write_annotated",
        "write_template",
    }


@pytest.mark.parametrize("key", LEDGER_KEYS)
def test_template_has_title_notes_catalog_headers_and_sample(key):
    """Row 1 the title, row 2 the notes, row 3 exactly the catalog headers, row 4 the samples."""
    ledger = catalog.ledger(key)
    sheet = _sheet(template_workbook(key))
    assert sheet.title == ledger.title
    assert sheet["A1"].value == f"{ledger.title}台账（模板）"
    assert ledger.notes in sheet["A2"].value
    assert "带 * 的列必填" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == ledger.headers
    assert sheet.freeze_panes == "A4"
    for position, column in enumerate(ledger.columns, start=1):
        cell = sheet.cell(4, position)
        if not column.sample:
            assert cell.value is None
        elif column.type == "date":
            assert cell.value.date() == dt.date.fromisoformat(column.sample)
        elif column.type == "decimal":
            assert Decimal(str(cell.value)) == Decimal(column.sample)
        else:
            assert str(cell.value) == column.sample


@pytest.mark.parametrize("key", LEDGER_KEYS)
def test_template_required_headers_are_marked_in_colour_and_comment(key):
    """Required headers are red with "*" in their comment; the header text stays the catalog's."""
    ledger = catalog.ledger(key)
    sheet = _sheet(template_workbook(key))
    for position, column in enumerate(ledger.columns, start=1):
        header = sheet.cell(3, position)
        assert header.font.b
        assert header.comment.text.startswith("* 必填") == column.required
        assert (header.font.color.rgb == "FFC00000") == column.required


@pytest.mark.parametrize("key", LEDGER_KEYS)
def test_template_code_columns_offer_their_code_list(key):
    """Every code column has a list drop-down holding exactly its code list's labels."""
    ledger = catalog.ledger(key)
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook(key)))
    sheet = workbook.worksheets[0]
    for position, column in enumerate(ledger.columns, start=1):
        if column.type != "code":
            continue
        (validation,) = _validation_at(sheet, sheet.cell(5000, position).coordinate)
        assert validation.type == "list"
        source = validation.formula1
        if source.startswith('"'):
            offered = source.strip('"').split(",")
        else:
            sheet_name, cells = source.split("!")
            codes_sheet = workbook[sheet_name.strip("'")]
            assert codes_sheet.sheet_state == "hidden"
            offered = [c.value for row in codes_sheet[cells.replace("$", "")] for c in row]
        assert offered == list(codelists.labels(column.codelist))


def test_template_keeps_identifiers_as_text_and_dates_as_dates():
    """ID numbers, 户编号 and region codes are text cells; dates carry a date format."""
    sheet = _sheet(template_workbook("members"))
    headers = [c.value for c in sheet[3]]
    for header in ("户编号", "证件号码"):
        cell = sheet.cell(4, headers.index(header) + 1)
        assert cell.number_format == "@"
        assert isinstance(cell.value, str)
    assert sheet.cell(4, headers.index("出生日期") + 1).number_format == "yyyy-mm-dd"
    village = _sheet(template_workbook("households")).cell(4, 2)
    assert (village.value, village.number_format) == ("130723100201", "@")


def test_template_columns_are_wide_enough_for_their_samples():
    sheet = _sheet(template_workbook("members"))
    assert sheet.column_dimensions["C"].width >= 18  # an ID number


@pytest.mark.parametrize("key", LEDGER_KEYS)
def test_template_reads_back_with_the_importers_reader(key, tmp_path):
    """The reader finds the headers on row 3 and the sample as the one data row."""
    path = tmp_path / f"{key}.xlsx"
    writing.write_template(key, path)
    table = read_table(path, catalog.ledger(key))
    assert table.header_row == 3
    assert table.frame.height == 1
    assert not table.cell_errors
    assert not table.notices


def test_unknown_ledger_names_the_known_ones():
    with pytest.raises(KeyError, match="households"):
        template_workbook("nope")


# --- exports ---------------------------------------------------------------------------------


@pytest.fixture
def registry(small_programme, make_household):
    """Two households in 康保 (one with incomes) and one in 怀安."""
    kangbao = [
        make_household("130723100201", people=2),
        make_household("130723100202", people=1, exit_year=2019),
    ]
    huaian = make_household("130728100201", people=1)
    Income.objects.create(
        household=kangbao[0],
        year=2019,
        wages=Decimal("8600.00"),
        business=Decimal("2300.50"),
        property_income=Decimal("0"),
        transfers=Decimal("3100.00"),
        costs=Decimal("900.00"),
    )
    return kangbao, huaian


def _project(pairing, number, households=(), **fields):
    project = Project.objects.create(
        pairing=pairing,
        project_no=number,
        name=f"项目{number}",
        helper_id=pairing.helper_id,
        recipient_id=pairing.recipient_id,
        site_id=fields.pop("site_id", pairing.recipient_id),
        year=2019,
        category="产业",
        fiscal_aid=Decimal("500.00"),
        disbursed=Decimal("350.25"),
        status="在建",
        closely_linked=fields.pop("closely_linked", True),
        **fields,
    )
    ProjectBeneficiary.objects.bulk_create(
        ProjectBeneficiary(project=project, household=h) for h in households
    )
    return project


@pytest.fixture
def projects(registry):
    """Two 朝阳→康保 projects (one with two beneficiaries) and one 怀柔→怀安 project."""
    kangbao, huaian = registry
    pairings = {p.key: p for p in Pairing.objects.all()}
    return [
        _project(
            pairings["110105→130723"], "KB2019-001", reversed(kangbao), site_id="130723100201"
        ),
        _project(pairings["110105→130723"], "KB2019-002", closely_linked=False),
        _project(pairings["110116→130728"], "HA2019-001", [huaian]),
    ]


def test_export_households_in_template_form(registry, tmp_path):
    """Title, notes and headers as in the template, then one row per household, IDs as text."""
    kangbao, _ = registry
    path = tmp_path / "households.xlsx"
    assert export_ledger(ledger_key="households", access=operator(), path=path) == 3
    sheet = openpyxl.load_workbook(path).worksheets[0]
    ledger = catalog.ledger("households")
    assert sheet["A1"].value.startswith("贫困户台账")
    assert [c.value for c in sheet[3]] == ledger.headers
    first = [c.value for c in sheet[4]]
    household = kangbao[0]
    assert first == [
        household.household_no,
        "130723100201",
        household.householder_name,
        household.householder_id_number,
        2,
        "一般贫困户",
        "国家标准",
        "因病",
        None,
        2015,
        "未脱贫",
        None,
        None,
    ]
    assert sheet.cell(4, 4).data_type == "s"
    assert sheet.cell(4, 4).number_format == "@"
    assert sheet.cell(5, 12).value == 2019
    assert sheet.max_row == 6


def test_export_members_gives_household_numbers_ids_and_dates(registry, tmp_path):
    kangbao, _ = registry
    path = tmp_path / "members.xlsx"
    assert export_ledger(ledger_key="members", access=operator(), path=path) == 4
    member = kangbao[0].members.order_by("id").first()
    row = _rows(path)[0]
    assert row == [
        kangbao[0].household_no,
        member.name,
        member.id_number,
        "男",
        dt.datetime(1960, 1, 1),  # noqa: DTZ001 - openpyxl reads dates as naive datetimes
        "本人",
        "长期慢性病",
        "普通劳动力",
        None,
    ]


def test_export_incomes_writes_amounts_as_numbers_with_two_places(registry, tmp_path):
    kangbao, _ = registry
    path = tmp_path / "incomes.xlsx"
    export_ledger(ledger_key="incomes", access=operator(), path=path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[4]] == [
        kangbao[0].household_no,
        2019,
        8600,
        2300.5,
        0,
        3100,
        900,
    ]
    assert sheet.cell(4, 4).number_format == "0.00"


def test_export_projects_joins_beneficiaries_and_writes_booleans(projects, tmp_path):
    """Beneficiaries are 户编号 joined by 、 (sorted); booleans are 是/否."""
    path = tmp_path / "projects.xlsx"
    assert export_ledger(ledger_key="projects", access=operator(), path=path) == 3
    rows = {row[0]: row for row in _rows(path)}
    first = rows["KB2019-001"]
    beneficiaries = sorted(h.household_no for h in projects[0].beneficiaries.all())
    assert first == [
        "KB2019-001",
        "项目KB2019-001",
        "110105",
        "130723",
        "130723100201",
        2019,
        "产业",
        500,
        350.25,
        "在建",
        "是",
        "、".join(beneficiaries),
    ]
    assert rows["KB2019-002"][10:] == ["否", None]
    assert rows["HA2019-001"][11] == projects[2].beneficiaries.get().household_no


def test_export_csv_has_a_bom_the_template_layout_and_reader_forms(projects, tmp_path):
    path = tmp_path / "projects.csv"
    export_ledger(ledger_key="projects", access=operator(), path=path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][0].startswith("项目台账")
    assert lines[2] == catalog.ledger("projects").headers
    by_number = {line[0]: line for line in lines[3:]}
    assert by_number["KB2019-002"][7:12] == ["500.00", "350.25", "在建", "否", ""]


def test_export_csv_writes_dates_iso(registry, tmp_path):
    path = tmp_path / "members.csv"
    export_ledger(ledger_key="members", access=operator(), path=path)
    assert _rows(path)[0][4] == "1960-01-01"


def test_export_respects_a_county_scope(projects, tmp_path):
    """A county office exports only its county's households and its pairings' projects."""
    households = tmp_path / "households.xlsx"
    kangbao = office(Role.COUNTY_OFFICE, "130723")
    assert export_ledger(ledger_key="households", access=kangbao, path=households) == 2
    assert {row[1][:6] for row in _rows(households)} == {"130723"}
    project_file = tmp_path / "projects.xlsx"
    assert export_ledger(ledger_key="projects", access=kangbao, path=project_file) == 2
    assert {row[3] for row in _rows(project_file)} == {"130723"}


def test_export_narrows_to_a_region(registry, tmp_path):
    path = tmp_path / "members.xlsx"
    rows = export_ledger(ledger_key="members", access=operator(), region="130728", path=path)
    assert rows == 1


def test_export_refuses_a_region_outside_the_scope(registry, tmp_path):
    with pytest.raises(ScopeError):
        export_ledger(
            ledger_key="households",
            access=office(Role.COUNTY_OFFICE, "130723"),
            region="130728",
            path=tmp_path / "x.xlsx",
        )


def test_export_masks_personal_data_for_an_access_without_that_right(registry, tmp_path):
    """A helper office reads the county's members with ID numbers, birth dates and health
    hidden (the age instead of the date)."""
    helper_office = office(Role.HELPER_OFFICE, "110105")
    path = tmp_path / "members.csv"
    export_ledger(ledger_key="members", access=helper_office, path=path)
    rows = _rows(path)
    assert len(rows) == 3
    assert all(row[2][6:14] == "********" for row in rows)
    assert all(row[4].endswith("岁") for row in rows)
    assert {row[6] for row in rows} == {"***"}


def test_export_masks_seconded_cadres_for_the_recipient_side(projects, tmp_path):
    """Seconded cadres' ID numbers are personal too: masked for the county they are posted
    to, shown to the helper district that sent them."""
    from xiezuo.ledgers.models import Secondment

    pairing = Programme.objects.get(key="small").pairings.get(helper_id="110105")
    number = make_id("110105", dt.date(1980, 5, 1), 7)
    Secondment.objects.create(
        pairing=pairing,
        name="王挂职",
        id_number=number,
        sender_id="110105",
        posting_id="130723",
        category="党政干部",
        start_date=dt.date(2019, 3, 1),
    )
    seen = {}
    for name, access in [
        ("county", office(Role.COUNTY_OFFICE, "130723")),
        ("helper", office(Role.HELPER_OFFICE, "110105")),
    ]:
        path = tmp_path / f"{name}.csv"
        export_ledger(ledger_key="secondments", access=access, path=path)
        seen[name] = {cell for row in _rows(path) for cell in row}
    assert number not in seen["county"]
    assert number[:6] + "*" * 8 + number[-4:] in seen["county"]
    assert number in seen["helper"]


def test_export_population_filters_by_scope_region(small_programme, tmp_path):
    for code, people in [("130723", 238000), ("130728", 190000), ("130723100201", 800)]:
        RuralPopulation.objects.create(region_id=code, year=2020, population=people)
    path = tmp_path / "population.xlsx"
    assert (
        export_ledger(
            ledger_key="population", access=office(Role.COUNTY_OFFICE, "130723"), path=path
        )
        == 2
    )
    assert [row[:3] for row in _rows(path)] == [
        ["130723", 2020, 238000],
        ["130723100201", 2020, 800],
    ]


def test_export_of_an_empty_ledger_is_the_bare_template_layout(small_programme, tmp_path):
    path = tmp_path / "visits.xlsx"
    assert export_ledger(ledger_key="visits", access=operator(), path=path) == 0
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[3]] == catalog.ledger("visits").headers
    assert sheet.max_row == 3


def test_export_queries_do_not_grow_with_the_rows(registry, tmp_path):
    """Beneficiaries are fetched per chunk: 3 projects and 40 projects take the same queries."""
    kangbao, _ = registry
    pairing = Pairing.objects.get(helper_id="110105", recipient_id="130723")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            export_ledger(ledger_key="projects", access=operator(), path=tmp_path / "p.xlsx")
        return len(captured)

    for n in range(3):
        _project(pairing, f"A{n}", kangbao)
    few = queries()
    for n in range(3, 40):
        _project(pairing, f"A{n}", kangbao)
    assert queries() == few


def test_export_reports_progress(registry, tmp_path):
    seen = []
    export_ledger(
        ledger_key="members",
        access=operator(),
        path=tmp_path / "m.xlsx",
        progress=lambda stage, done, total: seen.append((done, total)),
    )
    assert seen[-1] == (4, 4)


# --- round trip -------------------------------------------------------------------------------


@pytest.fixture
def ledgers_filled(projects, registry):
    """One record of every pairing-level ledger beside the projects, plus a population row."""
    kangbao, _ = registry
    pairing = Pairing.objects.get(helper_id="110105", recipient_id="130723")
    both = {"pairing": pairing, "helper_id": "110105", "recipient_id": "130723"}
    day = dt.date(2019, 5, 20)
    Visit.objects.create(
        pairing=pairing,
        origin_id="130723",
        destination_id="110105",
        start_date=day,
        end_date=day + dt.timedelta(days=1),
        leader="李明",
        leader_category="党委书记",
        purpose="考察",
    )
    Meeting.objects.create(**both, date=day, name="联席会议")
    Agreement.objects.create(
        **both, name="协议", signed_date=day, effective_date=day, end_date=None
    )
    Secondment.objects.create(
        pairing=pairing,
        name="王强",
        id_number=make_id("110105", dt.date(1978, 6, 12), 21),
        sender_id="110105",
        posting_id="130723100",
        category="专业技术人才-医疗",
        start_date=day,
        end_date=None,
    )
    Training.objects.create(
        pairing=pairing,
        name="培训班",
        host_id="110105",
        recipient_id="130723",
        audience="贫困劳动力",
        start_date=day,
        end_date=day,
        person_times=50,
    )
    Fund.objects.create(
        **both, year=2019, source="财政援助", amount=Decimal("3500.10"), paid_date=day
    )
    Investment.objects.create(
        pairing=pairing,
        enterprise="示例公司",
        credit_code="91110105MA01ABCD5F",
        helper_id="110105",
        location_id="130723",
        year=2019,
        amount=Decimal("1200"),
        poor_people_driven=0,
    )
    member = kangbao[0].members.order_by("id").first()
    LabourTransfer.objects.create(
        pairing=pairing,
        id_number=member.id_number,
        household=kangbao[0],
        workplace_code="440305",  # Shenzhen: outside the regions table
        employer="示例物业",
        start_date=day,
        end_date=None,
        organisation="有组织",
    )
    Purchase.objects.create(
        pairing=pairing,
        date=day,
        buyer_id="110105",
        origin_id="130723",
        purchaser="机关",
        product="莜麦面粉",
        amount=Decimal("12.50"),
    )
    Donation.objects.create(
        **both, date=day, donor="基金会", category="物资", amount=Decimal("0.05")
    )
    SubPairing.objects.create(
        pairing=pairing,
        helper_id="110105",
        entity_type="村",
        entity_name="某村",
        entity_code="110105001001",
        target_type="村",
        target_id="130723100201",
        start_date=day,
        end_date=dt.date(2020, 12, 31),
    )
    RuralPopulation.objects.create(region_id="130723", year=2020, population=238000)
    # Precision ledgers: a household-level measure (no ID number) and a member's measure.
    Measure.objects.create(
        household=kangbao[0], category="小额信贷", start_date=day, amount=Decimal("50000")
    )
    Measure.objects.create(
        household=kangbao[0],
        id_number=member.id_number,
        category="医疗保障",
        start_date=day,
        end_date=dt.date(2019, 12, 31),
        unit="康保县医疗保障局",
    )
    Assurance.objects.create(
        household=kangbao[0],
        year=2019,
        food_clothing=True,
        education=True,
        medical=True,
        housing=False,
        water=True,
    )
    Clue.objects.create(
        household=kangbao[1],
        found_on=dt.date(2020, 4, 10),
        source="干部走访",
        category="因病",
        rigid_spending=Decimal("23000"),
        note="住院",
    )
    Household.objects.create(
        household_no="130723100201900001",
        village_id="130723100201",
        county_id="130723",
        householder_name="李春生",
        householder_id_number=make_id("130723", dt.date(1970, 5, 6), 31),
        size=4,
        registered=False,
        monitored_from=dt.date(2020, 5, 20),
    )
    CountyCheck.objects.create(
        region_id="130723",
        year=2019,
        missed_rate=Decimal("0.50"),
        wrong_exit_rate=Decimal("0.30"),
        approval=Decimal("96.50"),
    )
    for number, helper, workplace in (("GW1", "110105", "110105"), ("GW2", None, "130723100")):
        Post.objects.create(
            post_no=number,
            employer="示例用工单位",
            credit_code="91110105MA01ABCD5F",
            helper_id=helper,
            workplace_id=workplace,
            title="普工",
            places=3,
            wage=Decimal("4500.50"),
            skill="技能劳动力",
            age_min=18,
            age_max=50,
            start_date=day,
            end_date=None,
        )
    _outside_lists(member, day)


def _outside_lists(member, day):
    """One row of each cross-check list: a registered member, or a person without ID number."""
    from xiezuo.crosscheck.models import LISTS

    person = {
        "year": 2020,
        "source": "来源单位",
        "id_number": member.id_number,
        "name": member.name,
        "birth_date": member.birth_date,
        "region_id": "130723100201",
    }
    rows = {
        "deaths": {"id_number": "", "died_on": day},
        "vehicles": {"plate": "冀G12345", "price": Decimal("86000"), "registered_on": day},
        "properties": {"location": "县城12号", "area": Decimal("96.5"), "registered_on": day},
        "businesses": {
            "company": "示例经销部",
            "credit_code": "91110105MA01ABCD5F",
            "capital": None,
            "registered_on": day,
        },
        "payroll": {"employer": "示例镇政府", "start_date": day, "end_date": None},
        "cadres": {"post": "村委会委员", "start_date": day, "end_date": day},
    }
    for key, fields in rows.items():
        LISTS[key].objects.create(**{**person, **fields})


# The households export holds the registered households only; the monitored one is its own.
ROUND_TRIP_ROWS = {
    "households": 3,
    "members": 4,
    "incomes": 1,
    "projects": 3,
    "measures": 2,
    "posts": 2,
}


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("key", "rows"),
    [(key, ROUND_TRIP_ROWS.get(key, 1)) for key in LEDGER_KEYS],
)
def test_export_then_dry_run_import_leaves_every_row_unchanged(
    key, rows, suffix, ledgers_filled, small_programme, tmp_path
):
    """Importing an export is a no-op: every row is reported unchanged."""
    path = tmp_path / f"{key}.{suffix}"
    assert export_ledger(ledger_key=key, access=operator(), path=path) == rows
    report = import_file(
        ledger_key=key,
        path=path,
        access=operator(),
        programme=small_programme,
        dry_run=True,
    )
    assert report.as_json() == {
        "ledger": key,
        "file": path.name,
        "rows": rows,
        "valid": rows,
        "inserted": 0,
        "updated": 0,
        "unchanged": rows,
        "errors": [],
        "notices": [],
    }


# --- annotated workbooks ----------------------------------------------------------------------


def _error(row, column, message, value=None):
    return {"row": row, "column": column, "value": value, "message": message}


def test_annotated_xlsx_marks_the_cell_and_keeps_the_original(tmp_path):
    """The bad cell is filled red and carries the message; other cells are untouched."""
    original = template_workbook("members")
    errors = [
        _error(4, "证件号码", "校验位错误", "130723196503010016"),
        _error(4, "证件号码", "与第 9 行重复"),
        _error(4, "出生日期", "与证件号码中的出生日期不符"),
    ]
    sheet = _sheet(annotated_workbook(original=original, file_name="m.xlsx", errors=errors))
    ids = sheet["C4"]
    assert ids.fill.fgColor.rgb == "FFFFC7CE"
    assert ids.comment.text == "校验位错误\n与第 9 行重复"
    assert sheet["E4"].comment.text == "与证件号码中的出生日期不符"
    assert sheet["B4"].comment is None
    assert sheet["B4"].fill.fill_type is None
    assert sheet["B4"].value == "张建国"  # the original's cells
    assert [c.value for c in sheet[3]] == catalog.ledger("members").headers


def test_annotated_xlsx_finds_a_header_written_as_an_alias_with_full_width_brackets(tmp_path):
    from tests.ingest.conftest import write_xlsx

    path = write_xlsx(
        tmp_path / "i.xlsx",
        [["户编号", "年度", "工资性收入（元）"], ["1", "2019", "abc"]],
        title="收入",
    )
    errors = [_error(3, "工资性收入(元)", "不是数字", "abc")]
    sheet = _sheet(
        annotated_workbook(original=path.read_bytes(), file_name="i.xlsx", errors=errors)
    )
    assert sheet["C3"].comment.text == "不是数字"
    assert sheet["C3"].fill.fgColor.rgb == "FFFFC7CE"


def test_annotated_csv_becomes_an_xlsx_with_the_same_marks():
    text = "收入台账\n户编号,年度,身份证号码\n1,2019,130723196503010016\n2,20x9,\n"
    errors = [_error(4, "年度", "年度不是数字", "20x9"), _error(4, "证件号码", "必填")]
    data = annotated_workbook(
        original=("\ufeff" + text).encode("utf-8"), file_name="收入.csv", errors=errors
    )
    sheet = _sheet(data)
    assert sheet["C3"].value == "130723196503010016"  # kept as text, every digit
    assert sheet["B4"].comment.text == "年度不是数字"
    assert sheet["B4"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["C4"].comment.text == "必填"
    assert sheet["A3"].comment is None


def test_annotated_gb18030_csv_is_read():
    text = "户编号,姓名\n1,张三\n"
    errors = [_error(2, "姓名", "太短")]
    sheet = _sheet(
        annotated_workbook(original=text.encode("gb18030"), file_name="m.csv", errors=errors)
    )
    assert (sheet["B2"].value, sheet["B2"].comment.text) == ("张三", "太短")


def test_file_level_errors_go_to_a_first_sheet():
    errors = [_error(None, None, "缺少必需的列：证件号码"), _error(4, "姓名", "必填")]
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            annotated_workbook(
                original=template_workbook("members"), file_name="m.xlsx", errors=errors
            )
        )
    )
    assert workbook.sheetnames[:2] == ["错误说明", "家庭成员"]
    messages = [row[3] for row in workbook["错误说明"].iter_rows(min_row=4, values_only=True)]
    assert messages == ["缺少必需的列：证件号码"]
    assert workbook["家庭成员"]["B4"].comment.text == "必填"


def test_an_earlier_errors_sheet_is_replaced():
    errors = [_error(None, None, "第一轮")]
    once = annotated_workbook(
        original=template_workbook("members"), file_name="m.xlsx", errors=errors
    )
    twice = annotated_workbook(original=once, file_name="m.xlsx", errors=[_error(4, "姓名", "x")])
    assert openpyxl.load_workbook(io.BytesIO(twice)).sheetnames[0] == "家庭成员"


def test_a_row_error_whose_column_is_not_in_the_file_marks_the_rows_first_cell():
    errors = [_error(4, "民族", "不在模板中")]
    sheet = _sheet(
        annotated_workbook(original=template_workbook("members"), file_name="m.xlsx", errors=errors)
    )
    assert sheet["A4"].comment.text == "「民族」不在模板中"


def test_an_error_inside_a_merged_range_marks_its_first_cell(tmp_path):
    from tests.ingest.conftest import MEMBER_HEADERS, member_row, write_xlsx

    def merge(workbook, worksheet):
        worksheet.merge_range(1, 0, 2, 0, "130723100201000001")

    rows = [
        MEMBER_HEADERS,
        member_row("130723100201000001", 1),
        member_row("130723100201000001", 2),
    ]
    path = write_xlsx(tmp_path / "m.xlsx", rows, formats=merge)
    errors = [_error(3, "户编号", "该单元格属于合并单元格")]
    sheet = _sheet(
        annotated_workbook(original=path.read_bytes(), file_name="m.xlsx", errors=errors)
    )
    assert sheet["A2"].comment.text == "该单元格属于合并单元格"


@pytest.mark.parametrize(
    "original",
    [
        b"",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"PK\x03\x04not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old word file",
        bytes(range(256)) * 4,
        b"\xff\xfe\x00h\x00i",
        b'a,b\n"unterminated',
    ],
    ids=["empty", "pdf", "broken-zip", "ole2", "binary", "utf16", "bad-quote"],
)
def test_annotating_an_unreadable_file_gives_an_errors_workbook(original):
    """Whatever the file, the result opens and holds the messages."""
    errors = [_error(None, None, "文件无法读取"), _error(7, "姓名", "必填")]
    data = annotated_workbook(original=original, file_name="x.xlsx", errors=errors)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "错误说明"
    messages = {row[3] for row in workbook["错误说明"].iter_rows(min_row=4, values_only=True)}
    assert "文件无法读取" in messages


def test_annotated_workbook_accepts_the_importers_error_dicts(registry, tmp_path):
    """The importer's error list, as it comes, marks the cells it names."""
    from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx

    path = write_xlsx(
        tmp_path / "h.xlsx",
        [HOUSEHOLD_HEADERS, household_row(1), household_row(2, 家庭人口数="三")],
        title="贫困户台账",
        notes="说明",
    )
    report = import_file(
        ledger_key="households",
        path=path,
        access=operator(),
        dry_run=True,
        programme=Pairing.objects.first().programme,
    )
    errors = [e.as_dict() for e in report.errors]
    assert errors
    sheet = _sheet(
        annotated_workbook(original=path.read_bytes(), file_name="h.xlsx", errors=errors)
    )
    marked = {(e["row"], e["column"]) for e in errors if e["row"]}
    column = HOUSEHOLD_HEADERS.index("家庭人口数") + 1
    assert (5, "家庭人口数") in marked
    assert sheet.cell(5, column).fill.fgColor.rgb == "FFFFC7CE"


def test_annotation_marks_the_sheet_that_was_read(tmp_path):
    from tests.ingest.conftest import MEMBER_HEADERS, member_row, write_xlsx

    rows = [MEMBER_HEADERS, member_row("130723100201000001", 1)]
    path = write_xlsx(tmp_path / "m.xlsx", rows, sheet="成员", before=["封面"])
    data = annotated_workbook(
        original=path.read_bytes(),
        file_name="m.xlsx",
        errors=[_error(2, "姓名", "必填")],
        sheet="成员",
    )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["封面", "成员"]
    assert workbook["成员"]["B2"].comment.text == "必填"
    assert workbook["封面"]["B2"].comment is None


def test_annotation_survives_long_cells_formulas_and_odd_error_values(tmp_path):
    """A 40,000-character cell, formula cells and malformed error entries do not stop it."""
    from tests.ingest.conftest import MEMBER_HEADERS, write_xlsx

    rows = [MEMBER_HEADERS, ["=1+1", "x" * 40_000, "1.30723E+17"]]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    errors = [
        _error(2, "户编号", "单元格是公式"),
        _error(2, "姓名", "超过 64 字"),
        {"row": "abc", "column": 5, "value": object(), "message": None},
        _error(5_000_000, "姓名", "行号超出 Excel 的范围"),
    ]
    for original, name in [
        (path.read_bytes(), "m.xlsx"),
        (("户编号,姓名\n1," + "x" * 40_000 + "\n").encode(), "m.csv"),
    ]:
        workbook = openpyxl.load_workbook(
            io.BytesIO(annotated_workbook(original=original, file_name=name, errors=errors))
        )
        assert workbook.sheetnames[0] == "错误说明"
        data = workbook.worksheets[1]
        assert data["B2"].comment.text.startswith("超过 64 字")
        assert len(data["B2"].value) == 32_767  # Excel's limit; the CSV's cell is cut

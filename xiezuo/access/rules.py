"""The rules of access, kept as data: the roles, which roles may do what, and personal fields.

`VERB_ROLES` is the one table of verbs to roles (docs/architecture.md prints it; a test holds
the two together). `PERSONAL_FIELDS` is the one table, per model, of the fields shown only to
a caller who may see personal data where the row lives, and how each is masked.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    PROGRAMME_OFFICE = "programme_office", "协作办（项目办）"
    HELPER_OFFICE = "helper_office", "帮扶方区"
    COUNTY_OFFICE = "county_office", "受援县扶贫办"
    CADRE = "cadre", "帮扶责任人"
    ASSESSOR = "assessor", "考核组"


class Verb(StrEnum):
    """What a caller may ask to do; `VERB_ROLES` says which roles may."""

    VIEW_HOUSEHOLDS = "view_households"
    SEE_PERSONAL_DATA = "see_personal_data"
    IMPORT_LEDGERS = "import_ledgers"
    WRITE_REGISTRY = "write_registry"
    VIEW_ALL_IMPORTS = "view_all_imports"
    VIEW_ASSESSMENT = "view_assessment"
    RUN_ASSESSMENT = "run_assessment"
    DRAFT_RECTIFICATION = "draft_rectification"
    UPDATE_RECTIFICATION = "update_rectification"
    MANAGE_MONITORING = "manage_monitoring"
    VIEW_PRECISION = "view_precision"
    VIEW_LABOUR = "view_labour"
    MATCH_LABOUR = "match_labour"
    WRITE_BULLETINS = "write_bulletins"
    PUBLISH_BULLETINS = "publish_bulletins"
    VIEW_REPORTS = "view_reports"
    SIGN_REPORTS = "sign_reports"
    VIEW_CROSSCHECKS = "view_crosschecks"
    REVIEW_CROSSCHECKS = "review_crosschecks"


P, H, C, K, A = (
    Role.PROGRAMME_OFFICE,
    Role.HELPER_OFFICE,
    Role.COUNTY_OFFICE,
    Role.CADRE,
    Role.ASSESSOR,
)

# verb → (roles that may, what the verb means). A role's grant region bounds every verb but
# the programme-wide ones: see `Access`.
VERB_ROLES: dict[Verb, tuple[frozenset[Role], str]] = {
    Verb.VIEW_HOUSEHOLDS: (frozenset({P, H, C, K, A}), "view registered households"),
    Verb.SEE_PERSONAL_DATA: (
        frozenset({C, K, H}),
        "see personal data unmasked, inside the grant's own region",
    ),
    Verb.IMPORT_LEDGERS: (frozenset({P, H, C}), "import ledger files"),
    Verb.WRITE_REGISTRY: (
        frozenset({P, C}),
        "write the registry and precision ledgers (households, members, incomes, measures…)",
    ),
    Verb.VIEW_ALL_IMPORTS: (frozenset({P, A}), "see every import of the programme"),
    Verb.VIEW_ASSESSMENT: (frozenset({P, H, C, A}), "view the assessment pages"),
    Verb.RUN_ASSESSMENT: (frozenset({P}), "run the assessment"),
    Verb.DRAFT_RECTIFICATION: (frozenset({P}), "draft rectification items"),
    Verb.UPDATE_RECTIFICATION: (
        frozenset({P, H, C}),
        "record rectification progress, on units reached",
    ),
    Verb.VIEW_PRECISION: (
        frozenset({P, H, C, A}),
        "view a county's precision work (gaps, exits, the county exit checklist)",
    ),
    Verb.MANAGE_MONITORING: (
        frozenset({P, C}),
        "confirm monitoring cases, record village notices and eliminate risks, in the county",
    ),
    Verb.VIEW_LABOUR: (
        frozenset({P, H, C, A}),
        "view job posts, labour matches and placements, inside the area read",
    ),
    Verb.MATCH_LABOUR: (
        frozenset({P, C}),
        "run a labour match and confirm or decline its proposals, in the county granted",
    ),
    Verb.WRITE_BULLETINS: (
        frozenset({P, H, C}),
        "write bulletins and send them for review, inside the grant's region",
    ),
    Verb.PUBLISH_BULLETINS: (frozenset({P}), "review and publish (or withdraw) bulletins"),
    Verb.VIEW_REPORTS: (
        frozenset({P, H, C, A}),
        "read the yearly self-evaluation reports, of the units reached",
    ),
    Verb.SIGN_REPORTS: (
        frozenset({P, H, C}),
        "add paragraphs to a unit's self-evaluation report and sign it off, for the unit granted",
    ),
    Verb.VIEW_CROSSCHECKS: (
        frozenset({P, C, A}),
        "see cross-check flags (the register against other departments' lists), in the area read",
    ),
    Verb.REVIEW_CROSSCHECKS: (
        frozenset({P, C}),
        "confirm or dismiss cross-check flags, in the county granted",
    ),
}

# Roles that read the whole programme whatever region their grant names.
PROGRAMME_WIDE_ROLES = frozenset({P, A})
# Roles whose grant also reaches the recipient counties paired with their district (read only).
PAIRED_ROLES = frozenset({H})
# Ledgers of these apps (the registry, the household-level precision ledgers and the outside
# lists the register is checked against) are written under WRITE_REGISTRY (and only in the
# county granted); every other ledger under IMPORT_LEDGERS.
REGISTRY_APPS = frozenset({"registry", "precision", "crosscheck"})

# What a refusal says, per verb.
REFUSALS: dict[Verb, str] = {
    Verb.VIEW_HOUSEHOLDS: "需要登录并具有相应区域权限才能查看贫困户信息",
    Verb.SEE_PERSONAL_DATA: "您的账号不能查看个人信息",
    Verb.IMPORT_LEDGERS: "只有协作办、帮扶方区和受援县扶贫办的账号可以导入台账。",
    Verb.WRITE_REGISTRY: (
        "贫困户、成员、收入、精准帮扶台账和比对名单只能由所在县扶贫办（或协作办）导入。"
    ),
    Verb.VIEW_ALL_IMPORTS: "您的账号只能查看自己的导入记录",
    Verb.VIEW_ASSESSMENT: "考核页面仅向协作办、考核组、帮扶方区和受援县扶贫办开放",
    Verb.RUN_ASSESSMENT: "只有协作办可以运行考核",
    Verb.DRAFT_RECTIFICATION: "只有协作办可以生成整改清单",
    Verb.UPDATE_RECTIFICATION: "您的账号不能更新整改事项",
    Verb.VIEW_PRECISION: "精准帮扶页面仅向协作办、考核组、帮扶方区和受援县扶贫办开放",
    Verb.MANAGE_MONITORING: "只有所在县扶贫办（或协作办）可以确认监测对象、公示和标注风险消除",
    Verb.VIEW_LABOUR: "劳务协作页面仅向协作办、考核组、帮扶方区和受援县扶贫办开放",
    Verb.MATCH_LABOUR: "只有受援县扶贫办（或协作办）可以运行岗位匹配并确认匹配建议",
    Verb.WRITE_BULLETINS: "只有协作办、帮扶方区和受援县扶贫办的账号可以撰写工作动态",
    Verb.PUBLISH_BULLETINS: "只有协作办可以审核和发布工作动态",
    Verb.VIEW_REPORTS: "自评报告仅向协作办、考核组、帮扶方区和受援县扶贫办开放",
    Verb.SIGN_REPORTS: "只有本单位（或协作办）可以编辑并签发自评报告",
    Verb.VIEW_CROSSCHECKS: "比对结果仅向协作办、考核组和受援县扶贫办开放",
    Verb.REVIEW_CROSSCHECKS: "只有所在县扶贫办（或协作办）可以确认或排除比对疑点",
}


class Kind(StrEnum):
    """Kinds of personal field, each with its masked form (`masking.masked`)."""

    ID_NUMBER = "id_number"
    BIRTH_DATE = "birth_date"
    HEALTH = "health"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Personal:
    """The personal fields of one model and where its rows live.

    `region` is the lookup (from the model) of the region code that decides whether the
    caller may see the row's personal data: a village for the registry, the sending
    district for a seconded cadre.
    """

    region: str
    fields: dict[str, Kind] = field(default_factory=dict)


# model label → its personal fields. Every model holding people's data is here.
PERSONAL_FIELDS: dict[str, Personal] = {
    "registry.Household": Personal(
        "village_id",
        {"householder_id_number": Kind.ID_NUMBER, "responsible_phone": Kind.PHONE},
    ),
    "registry.Member": Personal(
        "household__village_id",
        {"id_number": Kind.ID_NUMBER, "birth_date": Kind.BIRTH_DATE, "health": Kind.HEALTH},
    ),
    "ledgers.LabourTransfer": Personal("household__village_id", {"id_number": Kind.ID_NUMBER}),
    "precision.Measure": Personal("household__village_id", {"id_number": Kind.ID_NUMBER}),
    "ledgers.Secondment": Personal("sender_id", {"id_number": Kind.ID_NUMBER}),
    "labour.Proposal": Personal("household__village_id", {"id_number": Kind.ID_NUMBER}),
    # The outside lists of the cross-checks: the person as the source department knows them.
    **{
        f"crosscheck.{name}": Personal(
            "region_id", {"id_number": Kind.ID_NUMBER, "birth_date": Kind.BIRTH_DATE}
        )
        for name in ("Death", "Vehicle", "Property", "Business", "Payroll", "Cadre")
    },
    "crosscheck.CrossCheckFlag": Personal("household__village_id", {"person": Kind.ID_NUMBER}),
}

# The edit history of the registry (django-simple-history) keeps the same fields, read and
# masked as the records they are a version of.
PERSONAL_FIELDS |= {
    f"registry.Historical{name}": PERSONAL_FIELDS[f"registry.{name}"]
    for name in ("Household", "Member")
}


def verb_table() -> list[tuple[str, dict[str, bool]]]:
    """Return the verb × role table as the docs print it: (verb, {role: may})."""
    return [
        (str(verb), {str(role): role in roles for role in Role})
        for verb, (roles, _) in VERB_ROLES.items()
    ]

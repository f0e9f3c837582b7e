"""The pairing-level ledgers of the six assessment areas (DOMAIN.md §5).

Every record belongs to one programme pairing (`pairing`), set by attribution when the record is
loaded (`xiezuo.ledgers.calculations`); it is not a column of the sheet. Verbose names are the
template headers. Coded fields hold the label of their code list (`core/data/codelists.toml`).

Region columns are foreign keys to `Region` (their attname, `<name>_id`, holds the code), except
two columns whose code may lie outside the regions table: a worker's place of employment
(`LabourTransfer.workplace_code`, anywhere in China) and a sub-pairing's helper entity
(`SubPairing.entity_code`, a region code or a credit code).

Money is in 万元 with 2 places.
"""

import datetime as dt
from typing import ClassVar

from django.db import models
from django.db.models import F, Q

from xiezuo.programs.models import Pairing
from xiezuo.regions.models import Region
from xiezuo.registry.models import Household


def _region(verbose_name: str, **options) -> models.ForeignKey:
    return models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=verbose_name, **options
    )


def _money(verbose_name: str) -> models.DecimalField:
    """Return an amount in 万元: 2 places, up to 999,999,999,999.99."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2)


def _ends_after_start(name: str, start: str = "start_date", end: str = "end_date"):
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name
    )


def _not_negative(name: str, field: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}), name=name)


class PairingRecord(models.Model):
    """A ledger record attributed to a programme pairing.

    `year_field` names what places a record in a year (DOMAIN.md §3): an int year field, or a
    date field whose year counts; `span` instead names the (start, end) fields of a record that
    counts in every year it is in force (agreements, secondments, sub-pairings).
    """

    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name="结对"
    )

    year_field: ClassVar[str] = ""
    span: ClassVar[tuple[str, str] | None] = None

    class Meta:
        abstract = True

    @classmethod
    def in_year(cls, year: int) -> Q:
        """Return the filter of the records that belong to `year`."""
        if cls.span:
            start, end = cls.span
            return Q(**{f"{start}__lte": dt.date(year, 12, 31)}) & (
                Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": dt.date(year, 1, 1)})
            )
        if isinstance(cls._meta.get_field(cls.year_field), models.DateField):
            return Q(**{f"{cls.year_field}__year": year})
        return Q(**{cls.year_field: year})


class Visit(PairingRecord):
    """A visit or field study led by a leader, in either direction (互访调研)."""

    origin = _region("出访方代码")
    destination = _region("到访地代码")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    leader = models.CharField("带队领导", max_length=64)
    leader_category = models.CharField("领导类别", max_length=16)
    purpose = models.CharField("事项", max_length=500)

    year_field = "start_date"

    class Meta:
        verbose_name = verbose_name_plural = "互访调研"
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["pairing", "start_date"], name="visit_pairing_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "destination", "start_date", "leader"], name="unique_visit"
            ),
            _ends_after_start("visit_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date} {self.leader} {self.origin_id}→{self.destination_id}"


class Meeting(PairingRecord):
    """A joint meeting of a helper and a recipient (联席会议)."""

    date = models.DateField("日期")
    helper = _region("帮扶方代码")
    recipient = _region("受援方代码")
    name = models.CharField("会议名称", max_length=200)

    year_field = "date"

    class Meta:
        verbose_name = verbose_name_plural = "联席会议"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["pairing", "date"], name="meeting_pairing_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "helper", "recipient", "name"], name="unique_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Agreement(PairingRecord):
    """A cooperation agreement between a helper and a recipient (协议)."""

    name = models.CharField("协议名称", max_length=200)
    helper = _region("帮扶方代码")
    recipient = _region("受援方代码")
    signed_date = models.DateField("签署日期")
    effective_date = models.DateField("生效日期")
    end_date = models.DateField("终止日期", null=True, blank=True)

    span = ("effective_date", "end_date")

    class Meta:
        verbose_name = verbose_name_plural = "协议"
        ordering = ["effective_date", "id"]
        indexes = [
            models.Index(fields=["pairing", "effective_date"], name="agreement_pairing_date")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "helper", "recipient"], name="unique_agreement"
            ),
            _ends_after_start("agreement_signed_first", "signed_date", "effective_date"),
            _ends_after_start("agreement_dates_in_order", "effective_date", "end_date"),
        ]

    def __str__(self) -> str:
        return self.name


class Secondment(PairingRecord):
    """A cadre or professional seconded between the two sides of a pairing (挂职).

    Mostly from the helper side to the recipient side (派出); a recipient county's cadre posted
    to the helper district (接收, 双向挂职) belongs to the pairing too, and counts in no
    helper → recipient indicator. The direction is derived on import from 派出方代码.
    """

    class Direction(models.TextChoices):
        SENT = "派出", "派出（帮扶方→受援方）"
        RECEIVED = "接收", "接收（受援方→帮扶方）"

    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("证件号码", max_length=22)
    sender = _region("派出方代码")
    posting = _region("挂职地代码")
    category = models.CharField("人员类别", max_length=16)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    direction = models.CharField(
        "挂职方向",
        max_length=8,
        choices=Direction,
        default=Direction.SENT,
        db_default=Direction.SENT,
    )

    span = ("start_date", "end_date")

    class Meta:
        verbose_name = verbose_name_plural = "挂职"
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["pairing", "start_date"], name="secondment_pairing_date")]
        constraints = [
            models.UniqueConstraint(fields=["id_number", "start_date"], name="unique_secondment"),
            _ends_after_start("secondment_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.category} {self.start_date}"


class Training(PairingRecord):
    """A training course for recipient-side people (培训); it counts in the year it ends."""

    name = models.CharField("培训名称", max_length=200)
    host = _region("主办方代码")
    recipient = _region("受援方代码")
    audience = models.CharField("培训对象", max_length=16)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    person_times = models.PositiveIntegerField("培训人次")

    year_field = "end_date"

    class Meta:
        verbose_name = verbose_name_plural = "培训"
        ordering = ["end_date", "id"]
        indexes = [models.Index(fields=["pairing", "end_date"], name="training_pairing_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "host", "recipient", "start_date"], name="unique_training"
            ),
            _ends_after_start("training_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.audience}, {self.person_times}人次)"


class Fund(PairingRecord):
    """Money allocated by the helper side to the recipient side (资金)."""

    year = models.PositiveSmallIntegerField("年度")
    helper = _region("帮扶方代码")
    recipient = _region("受援方代码")
    source = models.CharField("资金来源", max_length=16)
    amount = _money("金额(万元)")
    paid_date = models.DateField("拨付日期")

    year_field = "year"

    class Meta:
        verbose_name = verbose_name_plural = "资金"
        ordering = ["year", "paid_date", "id"]
        indexes = [models.Index(fields=["pairing", "year"], name="fund_pairing_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "helper", "recipient", "source", "paid_date"], name="unique_fund"
            ),
            _not_negative("fund_amount_not_negative", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.source} {self.amount}万元"


class Project(PairingRecord):
    """An aid project carried out in the recipient county (项目)."""

    project_no = models.CharField("项目编号", max_length=64, unique=True)
    name = models.CharField("项目名称", max_length=200)
    helper = _region("帮扶方代码")
    recipient = _region("受援方代码")
    site = _region("实施地代码")
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("项目类别", max_length=16)
    fiscal_aid = _money("财政援助资金(万元)")
    disbursed = _money("已拨付(万元)")
    status = models.CharField("项目状态", max_length=8)
    closely_linked = models.BooleanField("是否与贫困人口紧密联系")
    beneficiaries = models.ManyToManyField(
        Household,
        through="ProjectBeneficiary",
        related_name="projects",
        verbose_name="受益户编号",
        blank=True,
    )

    year_field = "year"

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["year", "project_no"]
        indexes = [models.Index(fields=["pairing", "year"], name="project_pairing_year")]
        constraints = [
            _not_negative("project_fiscal_aid_not_negative", "fiscal_aid"),
            _not_negative("project_disbursed_not_negative", "disbursed"),
        ]

    def __str__(self) -> str:
        return f"{self.project_no} {self.name}"


class ProjectBeneficiary(models.Model):
    """A registered household that benefits from a project (one row per household)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="beneficiary_links", verbose_name="项目"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="project_links", verbose_name="受益户"
    )

    class Meta:
        verbose_name = verbose_name_plural = "项目受益户"
        ordering = ["project", "household"]
        constraints = [
            models.UniqueConstraint(fields=["project", "household"], name="unique_beneficiary")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.household_id}"


class Investment(PairingRecord):
    """An enterprise's investment in a recipient county in a year (企业投资)."""

    enterprise = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    helper = _region("帮扶方代码")
    location = _region("投资地代码")
    year = models.PositiveSmallIntegerField("年度")
    amount = _money("实际投资额(万元)")
    poor_people_driven = models.PositiveIntegerField("带动贫困人口")

    year_field = "year"

    class Meta:
        verbose_name = verbose_name_plural = "企业投资"
        ordering = ["year", "credit_code", "id"]
        indexes = [models.Index(fields=["pairing", "year"], name="investment_pairing_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code", "location", "year"], name="unique_investment"
            ),
            _not_negative("investment_amount_not_negative", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.enterprise} {self.amount}万元"


class LabourTransfer(PairingRecord):
    """A registered poor worker's job spell (劳务协作), attributed through their household."""

    id_number = models.CharField("证件号码", max_length=22)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="labour_transfers", verbose_name="户编号"
    )
    # Anywhere in China, so a plain code: the regions table holds the programme's provinces only.
    workplace_code = models.CharField("就业地代码", max_length=12)
    employer = models.CharField("用工单位", max_length=200)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    organisation = models.CharField("组织方式", max_length=8)

    year_field = "start_date"

    class Meta:
        verbose_name = verbose_name_plural = "劳务协作"
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["pairing", "start_date"], name="labour_pairing_date")]
        constraints = [
            models.UniqueConstraint(fields=["id_number", "start_date"], name="unique_labour"),
            _ends_after_start("labour_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.start_date}"


class Purchase(PairingRecord):
    """Produce of the recipient side bought by the helper side (消费扶贫)."""

    date = models.DateField("日期")
    buyer = _region("购买方代码")
    origin = _region("产地代码")
    purchaser = models.CharField("购买主体", max_length=200)
    product = models.CharField("产品", max_length=200)
    amount = _money("金额(万元)")

    year_field = "date"

    class Meta:
        verbose_name = verbose_name_plural = "消费扶贫"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["pairing", "date"], name="purchase_pairing_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "buyer", "origin", "purchaser", "product"], name="unique_purchase"
            ),
            _not_negative("purchase_amount_not_negative", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.purchaser} {self.product}"


class Donation(PairingRecord):
    """Money or goods donated to the recipient side (社会捐赠)."""

    date = models.DateField("日期")
    donor = models.CharField("捐赠方", max_length=200)
    helper = _region("帮扶方代码")
    recipient = _region("受援方代码")
    category = models.CharField("类别", max_length=8)
    amount = _money("金额(万元)")

    year_field = "date"

    class Meta:
        verbose_name = verbose_name_plural = "社会捐赠"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["pairing", "date"], name="donation_pairing_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "donor", "recipient", "category"], name="unique_donation"
            ),
            _not_negative("donation_amount_not_negative", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.donor} {self.amount}万元"


class SubPairing(PairingRecord):
    """A town, village, enterprise or organisation paired with a recipient town or village
    (携手奔小康 结对), counted for the helper district `helper`."""

    helper = _region("帮扶方代码")
    entity_type = models.CharField("帮扶主体类型", max_length=8)
    entity_name = models.CharField("帮扶主体名称", max_length=200)
    # A region code (区/乡镇/村) or a unified social credit code (企业/社会组织/学校/医院).
    entity_code = models.CharField("帮扶主体代码", max_length=18)
    target_type = models.CharField("受援对象类型", max_length=8)
    target = _region("受援对象代码")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    span = ("start_date", "end_date")

    class Meta:
        verbose_name = verbose_name_plural = "结对"
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["pairing", "start_date"], name="subpairing_pairing_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity_type", "entity_code", "target", "start_date"],
                name="unique_subpairing",
            ),
            _ends_after_start("subpairing_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_name} → {self.target_id}"


LEDGER_MODELS: tuple[type[PairingRecord], ...] = (
    Visit,
    Meeting,
    Agreement,
    Secondment,
    Training,
    Fund,
    Project,
    Investment,
    LabourTransfer,
    Purchase,
    Donation,
    SubPairing,
)

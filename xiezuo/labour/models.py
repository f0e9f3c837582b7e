"""Labour cooperation matching (劳务协作精准对接): posts, match runs and their proposals.

A post (岗位) is offered by an employer: a helper district's enterprise (帮扶方代码 set, a
transfer post) or a local employer (帮扶方代码 empty). A match run proposes people of the pool
for posts (`xiezuo.labour.calculations`); a county office confirms or declines each proposal,
and the confirmed ones are written into the labour ledger as one import batch (`Proposal.batch`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from xiezuo.programs.models import Programme
from xiezuo.regions.models import Region
from xiezuo.registry.models import Household


class Post(models.Model):
    """A job post (岗位) open to registered poor labourers; verbose names are the template's."""

    class Skill(models.TextChoices):
        ANY = "不限"
        SKILLED = "技能劳动力"

    post_no = models.CharField("岗位编号", max_length=64, unique=True)
    employer = models.CharField("用工单位", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    # Empty for a local employer; a helper district (or a place inside it) for a transfer post.
    helper = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="帮扶方代码",
        null=True,
        blank=True,
    )
    workplace = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="工作地代码"
    )
    title = models.CharField("岗位名称", max_length=100)
    places = models.PositiveIntegerField("招聘人数")
    wage = models.DecimalField("月工资(元)", max_digits=10, decimal_places=2)
    skill = models.CharField("技能要求", max_length=8, choices=Skill, default=Skill.ANY)
    age_min = models.PositiveSmallIntegerField("年龄下限")
    age_max = models.PositiveSmallIntegerField("年龄上限")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "岗位"
        ordering = ["start_date", "post_no"]
        indexes = [
            models.Index(fields=["helper", "start_date"], name="post_helper_start"),
            models.Index(fields=["workplace", "start_date"], name="post_workplace_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__lte=F("age_max")), name="post_ages_in_order"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="post_dates_in_order",
            ),
            models.CheckConstraint(condition=Q(wage__gte=0), name="post_wage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.post_no} {self.employer} {self.title}"

    @property
    def kind(self) -> str:
        """转移就业 for a helper's post, 本地就业 for a local employer's."""
        return "转移就业" if self.helper_id else "本地就业"

    @classmethod
    def scoped_records(cls, *, access, region: str | None = None):
        """Return the posts the caller reads (the export's door: `selectors.post_list`)."""
        from xiezuo.labour.selectors import post_list

        return post_list(access=access, region=region)


class MatchRun(models.Model):
    """One run of the match: what it looked at, how far it got, what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="match_runs", verbose_name="项目"
    )
    region = models.CharField("区域", max_length=12, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="运行人",
    )
    created_at = models.DateTimeField("运行时间", default=timezone.now)
    status = models.CharField("状态", max_length=8, choices=Status, default=Status.QUEUED)
    stage = models.CharField("阶段", max_length=16, blank=True)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    posts = models.PositiveIntegerField("岗位数", default=0)
    candidates = models.PositiveIntegerField("候选人数", default=0)
    placed = models.PositiveIntegerField("匹配人数", default=0)
    wage_total = models.DecimalField("月工资合计(元)", max_digits=16, decimal_places=2, default=0)
    seconds = models.FloatField("用时(秒)", default=0)
    # village code → {reason: people} for the people of the pool left unplaced.
    unplaced = models.JSONField("未匹配原因", default=dict, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "匹配记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"匹配 {self.pk} {self.region or '全项目'} {self.get_status_display()}"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class Proposal(models.Model):
    """A person proposed for a post by a match run, with why they may take it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "已谢绝"

    class Kind(models.TextChoices):
        LOCAL = "local", "本县就业"
        TRANSFER = "transfer", "转移就业"

    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="proposals", verbose_name="匹配"
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="proposals", verbose_name="岗位"
    )
    id_number = models.CharField("证件号码", max_length=22)
    name = models.CharField("姓名", max_length=64)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="labour_proposals", verbose_name="户"
    )
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="村"
    )
    kind = models.CharField("方式", max_length=8, choices=Kind)
    wage = models.DecimalField("月工资(元)", max_digits=10, decimal_places=2)
    age = models.PositiveSmallIntegerField("年龄")
    reasons = models.CharField("匹配理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.PROPOSED)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    # The labour-ledger batch a confirmed proposal was written in (undoable as a batch).
    batch = models.ForeignKey(
        "ingest.Batch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="labour_proposals",
        verbose_name="写入批次",
    )

    class Meta:
        verbose_name = verbose_name_plural = "匹配建议"
        ordering = ["run", "village", "post", "id_number"]
        indexes = [models.Index(fields=["post", "status"], name="proposal_post_status")]
        constraints = [
            models.UniqueConstraint(fields=["run", "id_number"], name="one_post_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.name}"

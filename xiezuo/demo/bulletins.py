"""The demo's work bulletins: a few hundred articles for 2018–2020 written from templates over
the demo's own ledgers (visits, meetings, agreements, trainings, funds, labour transfers,
purchases), with their real places, dates and amounts, plus the seed news report itself.

Articles are written after the ledgers, inside the demo's transaction, and rebuilt with it: a
rebuild deletes the demo's articles (those with no author whose 信息来源 is `DEMO_SOURCE`, and
the seed report) and writes them again. The same demo always writes the same articles.
"""

import datetime as dt
import random
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum

from xiezuo.bulletins import sanitise, search, services
from xiezuo.bulletins.models import Article
from xiezuo.core import codes
from xiezuo.ledgers.models import (
    Agreement,
    Fund,
    LabourTransfer,
    Meeting,
    Purchase,
    Training,
    Visit,
)
from xiezuo.programs.models import Programme
from xiezuo.regions.models import Region

DEMO_SOURCE = "扶贫协作办"
DEMO_PUBLISHER = "协作办信息组"
SEED_FILE = Path(__file__).parent / "data" / "bulletins_seed.txt"
CST = dt.timezone(dt.timedelta(hours=8))
# How many articles each ledger gives at most (taken evenly over its rows, by date).
CAPS = {"visit": 120, "meeting": 40, "agreement": 40, "training": 80, "purchase": 40}


def _day(date: dt.date) -> str:
    return f"{date.month}月{date.day}日"


def _span(start: dt.date, end: dt.date | None) -> str:
    if end is None or end == start:
        return _day(start)
    if end.month == start.month:
        return f"{_day(start)}至{end.day}日"
    return f"{_day(start)}至{_day(end)}"


def _wan(amount: Decimal) -> str:
    return f"{amount:,.2f}".rstrip("0").rstrip(".") + "万元"


def _evenly[T](rows: list[T], cap: int) -> list[T]:
    if len(rows) <= cap:
        return rows
    step = len(rows) / cap
    return [rows[int(i * step)] for i in range(cap)]


class _Writer:
    def __init__(self, programme: Programme, rng: random.Random) -> None:
        self.programme = programme
        self.rng = rng
        self.articles: list[tuple[Article, list[str]]] = []
        self.names: dict[str, str] = {}
        self.first = dt.date(programme.start_year, 1, 1)
        self.last = dt.date(programme.end_year, 12, 31)

    def load_names(self, region_codes: Iterable[str]) -> None:
        wanted = set(region_codes)
        wanted |= {codes.county_of(c) for c in wanted if len(c) > 6}
        wanted -= set(self.names)
        self.names.update(Region.objects.filter(code__in=wanted).values_list("code", "name"))

    def place(self, code: str) -> str:
        """Return a place's name with its county in front (丰宁满族自治县黄旗镇城根营村)."""
        name = self.names.get(code, code).removesuffix("村民委员会").removesuffix("居民委员会")
        if len(code) > 6:
            county = self.names.get(codes.county_of(code), "")
            township = self.names.get(code[:9], "") if len(code) == 12 else ""
            if len(code) == 12 and not name.endswith(("村", "社区")):
                name += "村"
            return county + township + name
        return name

    def add(
        self, *, title: str, paragraphs: list[str], day: dt.date, channel: str, regions: list[str]
    ) -> None:
        if not self.first <= day <= self.last:
            return
        moment = dt.datetime.combine(
            day + dt.timedelta(days=self.rng.randint(0, 2)),
            dt.time(self.rng.randint(8, 18), self.rng.randint(0, 59), self.rng.randint(0, 59)),
            tzinfo=CST,
        )
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        article = Article(
            title=title[:200],
            body=body,
            channel=channel,
            published=moment,
            source=DEMO_SOURCE,
            publisher=DEMO_PUBLISHER,
            status=Article.Status.PUBLISHED,
            hits=self.rng.randint(20, 3000),
        )
        counties = list(dict.fromkeys(codes.county_of(c) if len(c) > 6 else c for c in regions))
        self.articles.append((article, counties))


def _visits(w: _Writer) -> None:
    rows = list(
        Visit.objects.filter(pairing__programme=w.programme).order_by("start_date", "id")
        .values_list("origin_id", "destination_id", "start_date", "end_date", "leader",
                     "leader_category", "purpose")
    )  # fmt: skip
    rows = _evenly(rows, CAPS["visit"])
    w.load_names(c for r in rows for c in r[:2])
    for origin, destination, start, end, leader, category, purpose in rows:
        who = w.place(origin)
        where = w.place(destination)
        role = {"党委书记": "党委书记", "政府主要负责人": "主要负责同志"}.get(category, "负责同志")
        county = w.names.get(codes.county_of(destination), where)
        w.add(
            title=f"{who}{role}带队到{county}调研对接扶贫协作工作",
            paragraphs=[
                f"{_span(start, end)}，{who}{role}{leader}带队到{where}调研扶贫协作工作，"
                f"{purpose}。",
                f"调研期间，双方召开座谈会，听取了{where}脱贫攻坚工作情况汇报，就深化产业合作、"
                "劳务协作、消费扶贫和人才交流等进行了深入交流。",
                "双方表示，将进一步压实责任，推动各项帮扶措施落地见效，携手打赢精准脱贫攻坚战。",
            ],
            day=start,
            channel="工作动态",
            regions=[destination, origin],
        )


def _meetings(w: _Writer) -> None:
    rows = list(
        Meeting.objects.filter(pairing__programme=w.programme).order_by("date", "id")
        .values_list("helper_id", "recipient_id", "date", "name")
    )  # fmt: skip
    rows = _evenly(rows, CAPS["meeting"])
    w.load_names(c for r in rows for c in r[:2])
    for helper, recipient, day, name in rows:
        h, r = w.place(helper), w.place(recipient)
        w.add(
            title=f"{h}与{r}召开{name}",
            paragraphs=[
                f"{_day(day)}，{h}与{r}召开{name}，总结前期扶贫协作工作，研究部署下一阶段重点任务。",
                f"会议指出，要围绕组织领导、人才支援、资金支持、产业合作、劳务协作、携手奔小康等方面，"
                f"进一步完善{h}与{r}的对接机制，确保各项任务按期完成。",
            ],
            day=day,
            channel="工作动态",
            regions=[recipient, helper],
        )


def _agreements(w: _Writer) -> None:
    rows = list(
        Agreement.objects.filter(pairing__programme=w.programme).order_by("signed_date", "id")
        .values_list("helper_id", "recipient_id", "signed_date", "name")
    )  # fmt: skip
    rows = _evenly(rows, CAPS["agreement"])
    w.load_names(c for r in rows for c in r[:2])
    for helper, recipient, day, name in rows:
        h, r = w.place(helper), w.place(recipient)
        w.add(
            title=f"{h}与{r}签署《{name}》",
            paragraphs=[
                f"{_day(day)}，{h}与{r}签署《{name}》。",
                f"根据协议，双方将在产业合作、劳务协作、人才交流和消费扶贫等方面加强合作，"
                f"{h}将继续加大对{r}的帮扶力度。",
            ],
            day=day,
            channel="政策文件",
            regions=[recipient, helper],
        )


def _trainings(w: _Writer) -> None:
    rows = list(
        Training.objects.filter(pairing__programme=w.programme).order_by("start_date", "id")
        .values_list("pairing__helper_id", "pairing__recipient_id", "name", "audience",
                     "start_date", "end_date", "person_times")
    )  # fmt: skip
    rows = _evenly(rows, CAPS["training"])
    w.load_names(c for r in rows for c in r[:2])
    for helper, recipient, name, audience, start, end, person_times in rows:
        h, r = w.place(helper), w.place(recipient)
        w.add(
            title=f"{h}举办{name}" if name.startswith(r) else f"{h}为{r}举办{name}",
            paragraphs=[
                f"{_span(start, end)}，{h}为{r}举办{name}，培训{audience}{person_times}人次。",
                "培训采取专题讲座、现场教学和交流研讨相结合的方式，进一步提升了受援地区干部群众的能力素质。",
            ],
            day=start,
            channel="工作动态",
            regions=[recipient, helper],
        )


def _funds(w: _Writer) -> None:
    rows = list(
        Fund.objects.filter(pairing__programme=w.programme)
        .values("helper_id", "recipient_id", "year")
        .annotate(total=Sum("amount"), first=Count("id"))
        .order_by("year", "recipient_id", "helper_id")
    )
    w.load_names(c for r in rows for c in (r["helper_id"], r["recipient_id"]))
    for row in rows:
        h, r = w.place(row["helper_id"]), w.place(row["recipient_id"])
        year = row["year"]
        paid = (
            Fund.objects.filter(
                pairing__programme=w.programme, helper_id=row["helper_id"],
                recipient_id=row["recipient_id"], year=year,
            ).order_by("paid_date").values_list("paid_date", flat=True).first()
        )  # fmt: skip
        w.add(
            title=f"{h}{year}年向{r}拨付扶贫协作资金{_wan(row['total'])}",
            paragraphs=[
                f"{year}年，{h}分{row['first']}批向{r}拨付扶贫协作资金共计{_wan(row['total'])}，"
                "重点用于产业发展、基础设施、教育医疗和就业扶贫等项目。",
                "资金全部纳入县级扶贫资金项目库管理，聚焦建档立卡贫困人口直接受益。",
            ],
            day=paid or dt.date(year, 6, 30),
            channel="通知公告",
            regions=[row["recipient_id"], row["helper_id"]],
        )


def _labour(w: _Writer) -> None:
    rows = list(
        LabourTransfer.objects.filter(pairing__programme=w.programme, start_date__isnull=False)
        .values("pairing__helper_id", "pairing__recipient_id", "start_date__year")
        .annotate(people=Count("id"), organised=Count("id", filter=Q(organisation="有组织")))
        .order_by("start_date__year", "pairing__recipient_id", "pairing__helper_id")
    )
    w.load_names(c for r in rows for c in (r["pairing__helper_id"], r["pairing__recipient_id"]))
    for row in rows:
        helper, recipient = row["pairing__helper_id"], row["pairing__recipient_id"]
        h, r, year = w.place(helper), w.place(recipient), row["start_date__year"]
        w.add(
            title=f"{r}与{h}劳务协作{year}年帮助{row['people']}名贫困劳动力就业",
            paragraphs=[
                f"{year}年，{r}与{h}深化劳务协作，举办专场招聘会，"
                f"帮助{row['people']}名建档立卡贫困劳动力实现就业，其中有组织转移{row['organised']}人。",
                "两地建立岗位信息共享和精准对接机制，做到“岗位找人、人岗相适”。",
            ],
            day=dt.date(year, 12, 20),
            channel="典型案例",
            regions=[recipient, helper],
        )


def _purchases(w: _Writer) -> None:
    rows = list(
        Purchase.objects.filter(pairing__programme=w.programme).order_by("date", "id")
        .values_list("pairing__helper_id", "pairing__recipient_id", "date", "purchaser",
                     "product", "amount")
    )  # fmt: skip
    rows = _evenly(rows, CAPS["purchase"])
    w.load_names(c for r in rows for c in r[:2])
    for helper, recipient, day, purchaser, product, amount in rows:
        h, r = w.place(helper), w.place(recipient)
        w.add(
            title=f"{purchaser}采购{r}{product}{_wan(amount)}",
            paragraphs=[
                f"{_day(day)}，{h}{purchaser}采购{r}{product}，金额{_wan(amount)}。",
                "消费扶贫带动了受援地区农产品销售，增加了贫困群众收入。",
            ],
            day=day,
            channel="典型案例",
            regions=[recipient, helper],
        )


def _seed(w: _Writer) -> None:
    from xiezuo.bulletins.textfile import parse_article

    item = parse_article(SEED_FILE.read_text(encoding="utf-8"))
    published = item.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=CST)
    counties = list(
        Region.objects.filter(
            level=3, name__in=["滦平县", "丰宁满族自治县", "沽源县", "张北县"]
        ).values_list("code", flat=True)
    )
    article = Article(
        title=item.title,
        body=sanitise.from_text(item.body),
        channel="媒体报道",
        published=published,
        source=item.source,
        publisher=item.publisher,
        status=Article.Status.PUBLISHED,
        hits=w.rng.randint(3000, 9000),
    )
    w.articles.append((article, counties))


def _wipe() -> None:
    demo = Q(author__isnull=True) & (
        Q(source=DEMO_SOURCE, publisher=DEMO_PUBLISHER) | Q(channel="媒体报道", source="新华网")
    )
    pks = list(Article.objects.filter(demo).values_list("pk", flat=True))
    Article.objects.filter(pk__in=pks).delete()
    search.unindex(pks)


def write_bulletins(
    programme: Programme, *, rows: dict[str, int], seconds: dict[str, float], seed: int = 2018
) -> int:
    """Replace the demo's bulletins of `programme`; return how many were written."""
    clock = time.perf_counter()
    writer = _Writer(programme, random.Random(seed))
    with transaction.atomic():
        _wipe()
        for make in (_visits, _meetings, _agreements, _trainings, _funds, _labour, _purchases):
            make(writer)
        _seed(writer)
        for article, _ in writer.articles:
            services.prepare(article)
        made = Article.objects.bulk_create([a for a, _ in writer.articles], batch_size=500)
        through = Article.regions.through
        wanted = {code for _, counties in writer.articles for code in counties}
        known = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
        links: list[Any] = [
            through(article_id=article.pk, region_id=code)
            for article, (_, counties) in zip(made, writer.articles, strict=True)
            for code in counties
            if code in known
        ]
        through.objects.bulk_create(links, batch_size=2000)
        search.index((a.pk, a.title_tokens, a.text_tokens) for a in made)
    rows["bulletins"] = len(made)
    seconds["bulletins"] = time.perf_counter() - clock
    return len(made)

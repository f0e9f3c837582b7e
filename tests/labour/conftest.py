"""Fixtures of the labour tests: a small registry of labourers and posts in the small programme.

康保 130723 (朝阳 110105 helps): 一村 household K — 甲 (1990-03-01, 普通劳动力), 乙 (1985-06-15,
技能劳动力); 二村 household L, 已脱贫(不再享受政策) — 丙 (1990-01-01, 普通劳动力): not in the pool.
怀安 130728 (怀柔 110116 helps): 三村 household M — 丁 (1992-01-01, 普通劳动力).
丰宁 130826 (怀柔 110116 helps): 四村 household N, 返贫 — 戊 (1995-05-05, 普通劳动力), and 己
(1996-01-01, 弱劳动力或半劳动力): not in the pool.
"""

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.core.ids import make_id
from xiezuo.labour.models import Post
from xiezuo.registry.models import Household, Member

PEOPLE = {
    # name: (village, household, birth, skill)
    "甲": ("130723100201", "K", dt.date(1990, 3, 1), "普通劳动力"),
    "乙": ("130723100201", "K", dt.date(1985, 6, 15), "技能劳动力"),
    "丙": ("130723100202", "L", dt.date(1990, 1, 1), "普通劳动力"),
    "丁": ("130728100201", "M", dt.date(1992, 1, 1), "普通劳动力"),
    "戊": ("130826100201", "N", dt.date(1995, 5, 5), "普通劳动力"),
    "己": ("130826100201", "N", dt.date(1996, 1, 1), "弱劳动力或半劳动力"),
}
STATUS = {
    "K": ("未脱贫", None, None),
    "L": ("已脱贫(不再享受政策)", 2018, None),
    "M": ("未脱贫", None, None),
    "N": ("返贫", 2018, 2019),
}


@pytest.fixture
def labourers(small_programme):
    """Return {name: Member} of the households above."""
    households = {}
    members = {}
    for n, (name, (village, key, birth, skill)) in enumerate(PEOPLE.items(), start=1):
        if key not in households:
            status, exit_year, fallback = STATUS[key]
            households[key] = Household.objects.create(
                household_no=f"{village}{len(households) + 1:05d}",
                village_id=village,
                county_id=village[:6],
                householder_name=name,
                householder_id_number=make_id(village[:6], birth, n),
                size=2,
                attribute="一般贫困户",
                standard="国家标准",
                main_cause="缺技术",
                identified_year=2016,
                status=status,
                exit_year=exit_year,
                fallback_year=fallback,
            )
        members[name] = Member.objects.create(
            household=households[key],
            name=name,
            id_number=make_id(village[:6], birth, n),
            sex="男",
            birth_date=birth,
            relation="本人",
            health="健康",
            labour_skill=skill,
        )
    return members


def make_post(number, **fields):
    values = {
        "post_no": number,
        "employer": "示例用工单位",
        "credit_code": "91110105MA01ABCD5F",
        "helper_id": None,
        "workplace_id": "130723",
        "title": "普工",
        "places": 1,
        "wage": Decimal(3000),
        "skill": "不限",
        "age_min": 18,
        "age_max": 55,
        "start_date": dt.date(2019, 3, 1),
    } | fields
    return Post.objects.create(**values)


@pytest.fixture
def posts(small_programme):
    """GW1 朝阳 transfer 6000 ×1; GW2 怀柔 transfer 5000 ×3; GW3 康保 local 3000 ×1, 技能劳动力."""
    return {
        "GW1": make_post("GW1", helper_id="110105", workplace_id="110105", wage=Decimal(6000)),
        "GW2": make_post(
            "GW2", helper_id="110116", workplace_id="110116", wage=Decimal(5000), places=3
        ),
        "GW3": make_post("GW3", wage=Decimal(3000), skill="技能劳动力"),
    }

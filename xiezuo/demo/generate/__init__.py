"""Column-wise generation of a demo registry and its ledgers: numpy arrays, no database.

Each step draws one table's columns from a `numpy.random.Generator`, in a fixed order, so
one seed always gives the same rows. Households come first (who, where, why poor, when
identified and when out), then their members (relations consistent with the householder,
ages, schooling, health, work), then incomes, status history and rural population. The
ledgers of the six assessment areas follow, for every pairing and programme year: visits,
meetings and agreements (`organisation`), secondments and trainings (`talent`), funds,
projects and donations (`funding`), enterprise investments (`industry`), labour transfers of
registered members (`labour`), sub-pairings and purchases (`partnership`). Precision work and
monitoring come last: monitored households outside the register with their members and
incomes, and village populations (`monitored`); measures by cause, the five assurances, risk
clues, the monitoring board's records and county checks (`precision`). The distributions are
data (`xiezuo/demo/data/profile.toml`, `ledgers.toml`, `precision.toml`); this package only
says how they combine.
"""

from xiezuo.demo.generate.columns import Geography, Households, Members, Pairings, Place
from xiezuo.demo.generate.draw import streams
from xiezuo.demo.generate.funding import (
    Projects,
    fiscal_aid,
    make_donations,
    make_funds,
    make_projects,
)
from xiezuo.demo.generate.households import make_households
from xiezuo.demo.generate.industry import Enterprise, make_enterprises, make_investments
from xiezuo.demo.generate.labour import make_labour
from xiezuo.demo.generate.members import make_members
from xiezuo.demo.generate.organisation import make_agreements, make_meetings, make_visits
from xiezuo.demo.generate.outcomes import make_history, make_incomes, make_population
from xiezuo.demo.generate.partnership import make_purchases, make_subpairings
from xiezuo.demo.generate.posts import PostDraw, make_posts
from xiezuo.demo.generate.talent import make_secondments, make_trainings

__all__ = [
    "Enterprise",
    "Geography",
    "Households",
    "Members",
    "Pairings",
    "Place",
    "PostDraw",
    "Projects",
    "fiscal_aid",
    "make_agreements",
    "make_donations",
    "make_enterprises",
    "make_funds",
    "make_history",
    "make_households",
    "make_incomes",
    "make_investments",
    "make_labour",
    "make_meetings",
    "make_members",
    "make_population",
    "make_posts",
    "make_projects",
    "make_purchases",
    "make_secondments",
    "make_subpairings",
    "make_trainings",
    "make_visits",
    "streams",
]

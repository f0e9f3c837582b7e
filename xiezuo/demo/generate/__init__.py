"""Column-wise generation of a demo registry: numpy arrays, no database.

Each step draws one table's columns from a `numpy.random.Generator`, in a fixed order, so
one seed always gives the same registry. Households come first (who, where, why poor, when
identified and when out), then their members (relations consistent with the householder,
ages, schooling, health, work), then incomes, status history and rural population. The
distributions are data (`xiezuo/demo/data/profile.toml`); this package only says how they
combine.
"""

from xiezuo.demo.generate.columns import Geography, Households, Members
from xiezuo.demo.generate.draw import streams
from xiezuo.demo.generate.households import make_households
from xiezuo.demo.generate.members import make_members
from xiezuo.demo.generate.outcomes import make_history, make_incomes, make_population

__all__ = [
    "Geography",
    "Households",
    "Members",
    "make_history",
    "make_households",
    "make_incomes",
    "make_members",
    "make_population",
    "streams",
]

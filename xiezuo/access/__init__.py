"""Who may see and do what: roles, grants, verbs and the `Access` every service and selector
takes. `access_for` (in `selectors`) is the only grant query."""

from xiezuo.access.access import Access, Regions
from xiezuo.access.rules import Role, Verb

__all__ = ["Access", "Regions", "Role", "Verb"]

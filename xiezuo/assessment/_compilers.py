"""Ibis's SQL compilers as the live database's plans need them (imported with Ibis, lazily)."""

import ibis.expr.datashape as ds
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.backends import BaseBackend
from ibis.backends.sql.compilers.postgres import PostgresCompiler
from ibis.backends.sql.compilers.sqlite import SQLiteCompiler


class NamedParameter(ops.Scalar):
    """A query parameter left unbound in the SQL, as a named placeholder (`:name` on SQLite,
    `%(name)s` on PostgreSQL): its value is given when the SQL runs."""

    dtype: dt.DataType
    label: str

    shape = ds.scalar


class _Placeholders:
    """Compile Ibis's unbound scalar parameters (`ibis.param`) to named placeholders.

    Ibis substitutes a parameter's value when it compiles; the live database's plans are
    compiled once for every year instead, and the values are bound through the DB-API.
    """

    def translate(self, op, *, params):  # type: ignore[no-untyped-def]
        unbound = [node for node in op.find(ops.ScalarParameter) if node not in params]
        if unbound:
            op = op.replace(
                {node: NamedParameter(dtype=node.dtype, label=node.name) for node in unbound}
            )
        return super().translate(op, params=params)  # type: ignore[misc]

    def visit_NamedParameter(self, op, *, dtype, label):  # type: ignore[no-untyped-def]
        return sge.Placeholder(this=label)


class _SQLiteCompiler(_Placeholders, SQLiteCompiler):
    """Ibis's SQLite compiler, with day differences in SQL instead of a Python function.

    Ibis 12 computes `date.delta(other, unit="day")` on SQLite with `_ibis_date_delta`, a
    Python function called for every row (a quarter of a second a year on the demo's job
    spells). `julianday` gives the same whole number of days for ISO dates, natively.
    """

    def visit_DateDelta(self, op, *, left, right, part):
        if getattr(part, "this", None) != "day":
            return super().visit_DateDelta(op, left=left, right=right, part=part)
        return self.cast(self.f.julianday(left) - self.f.julianday(right), dt.int64)


class _PostgresCompiler(_Placeholders, PostgresCompiler):
    """Ibis's PostgreSQL compiler, with named placeholders typed by a cast."""

    def visit_NamedParameter(self, op, *, dtype, label):  # type: ignore[no-untyped-def]
        return self.cast(sge.Placeholder(this=label), dtype)


_COMPILERS = {"sqlite": _SQLiteCompiler(), "postgres": _PostgresCompiler()}


def own_compiler(backend: BaseBackend) -> BaseBackend:
    """Give a live database's backend the compiler with placeholders (and, on SQLite, native
    day differences), not Ibis's own."""
    backend.compiler = _COMPILERS[backend.name]  # type: ignore[attr-defined]
    return backend

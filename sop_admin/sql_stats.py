"""SQL expressions for statistics that the two engines spell differently.

Reports and the dashboard both need durations and medians computed in the
database (never by loading every row), so they are written once here.
"""

from sqlalchemy import Float, Select, cast, func, select

from .extensions import db


def seconds_between(later, earlier):
    """`later - earlier` in seconds, in the engine's own arithmetic."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.extract("epoch", later - earlier), Float)
    # SQLite keeps timestamps as text; julianday() reads them as days.
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def medians(values: Select) -> Select:
    """Median of column `v` per group of the other columns of `values`.

    `values` selects the group keys and then one labelled `v` column (NULL
    values are ignored). PostgreSQL has `percentile_cont`; SQLite has no
    median, so each group's values are ranked by a window and the middle
    one (odd count) or the mean of the middle two (even count) is kept.
    """
    sub = values.subquery()
    keys = [c for c in sub.c if c.name != "v"]
    if db.engine.dialect.name == "postgresql":
        return (select(*keys, func.percentile_cont(0.5).within_group(sub.c.v))
                .where(sub.c.v.isnot(None)).group_by(*keys))
    ranked = select(
        *keys, sub.c.v,
        func.row_number().over(partition_by=keys, order_by=sub.c.v).label("rn"),
        func.count().over(partition_by=keys).label("n"),
    ).where(sub.c.v.isnot(None)).subquery()
    rkeys = [ranked.c[k.name] for k in keys]
    middle = [(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]
    return (select(*rkeys, func.avg(ranked.c.v))
            .where(ranked.c.rn.in_(middle)).group_by(*rkeys))

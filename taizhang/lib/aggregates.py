"""Aggregates shared by the dashboards and the reporting rhythm."""

from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce


def count_where(condition: Q | None = None):
    """COUNT(*), or the rows meeting ``condition`` as SUM(CASE …): both read a covering index alone.

    (COUNT(id) would make PostgreSQL visit every row: the id is not in the index.)
    """
    if condition is None:
        return Count("*")
    return Coalesce(Sum(Case(When(condition, then=Value(1)), default=Value(0))), 0)

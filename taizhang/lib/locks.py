"""Row locks taken one way: only the rows meant, in one order.

``select_for_update()`` with ``select_related`` locks every joined row too (``FOR UPDATE`` without
``OF``), and ``.first()`` adds the model's default ordering, which may join more tables. Two
transactions that lock the same rows through different joins then wait for each other in
different orders: PostgreSQL's "deadlock detected". So every write locks through :func:`locked`,
which locks the model's own rows (``FOR NO KEY UPDATE OF`` the model's table: the foreign-key checks
of other writers take KEY SHARE locks, which this does not block) and orders by primary key.

The order, when one transaction locks several kinds of row (take them top down, never back up):
campaign → unit report → item (by id) → anything below an item. SQLite has no row locks
(a writer holds the database), so there these are plain reads.
"""

from django.db import models


def locked(source, **filters):
    """A queryset of ``source`` (a model or a queryset) matching ``filters``, locked ``FOR NO KEY UPDATE OF`` itself."""
    queryset = (
        source._default_manager.all() if isinstance(source, type) and issubclass(source, models.Model) else source
    )
    return queryset.filter(**filters).select_for_update(of=("self",), no_key=True).order_by("pk")


def lock_one(source, **filters):
    """The one row, locked (``DoesNotExist`` when there is none)."""
    return locked(source, **filters).get()

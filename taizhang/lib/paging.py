"""Paging through large lists: ids first, then the rows of one page."""

from django.core.paginator import Paginator


class IdPaginator(Paginator):
    """Pages a queryset by its ids, then loads only the page's rows with their joins.

    ``OFFSET 99,950`` over full rows (with their joined units and categories) reads
    every skipped row; over ids alone the database walks an index instead. The
    second query fetches the page's 50 rows by primary key, in the order the ids came.
    """

    def __init__(self, queryset, per_page, **kwargs):
        self.rows = queryset
        super().__init__(queryset.values_list("pk", flat=True), per_page, **kwargs)

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        by_id = {row.pk: row for row in self.rows.order_by().filter(pk__in=ids)}
        return super()._get_page([by_id[pk] for pk in ids if pk in by_id], number, paginator)

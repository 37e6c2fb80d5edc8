"""Paging through large lists: ids first, then the rows of one page."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class IdPaginator(Paginator):
    """Pages a queryset by its ids, then loads only the page's rows with their joins.

    ``OFFSET 99,950`` over full rows (with their joined units and categories) reads
    every skipped row; over ids alone the database walks an index instead. The page's
    rows then come by primary key, in the order the ids came.

    The first ``PROBE`` ids are read first: when the filters leave fewer, they are the
    whole result, so its count and its page come from that one query instead of a
    COUNT and a page query that would each filter the table again.
    """

    PROBE = 1000

    def __init__(self, queryset, per_page, **kwargs):
        self.rows = queryset
        super().__init__(queryset.values_list("pk", flat=True), per_page, **kwargs)

    @cached_property
    def probe(self) -> list:
        return list(self.object_list[: self.PROBE])

    @cached_property
    def count(self) -> int:
        if len(self.probe) < self.PROBE:
            return len(self.probe)
        return self.object_list.count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.probe[bottom:top] if top <= len(self.probe) else list(self.object_list[bottom:top])
        return self._get_page(ids, number, self)

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        by_id = {row.pk: row for row in self.rows.order_by().filter(pk__in=ids)}
        return super()._get_page([by_id[pk] for pk in ids if pk in by_id], number, paginator)

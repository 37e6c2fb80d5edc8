"""Reading many plain rows fast."""

from django.db import connections


def raw_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database returns them, without Django's converters.

    Django runs a converter over every row whenever one column has one (a boolean, or any SUM);
    at thousands of rows that costs more than the query. Only for columns whose database values
    are already what the caller needs: integers, strings, and booleans read as truthy (SQLite
    gives 0/1).
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

from django.db import connection, models


def refresh_planner_statistics(*tables: type[models.Model]) -> None:
    """After a bulk load PostgreSQL still plans for the tables as they were (often empty)
    until autovacuum gets to them, and a join over them can then run for minutes instead of
    milliseconds; ANALYZE tells it now."""
    if connection.vendor != "postgresql":
        return
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")

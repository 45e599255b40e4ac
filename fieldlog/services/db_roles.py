"""PostgreSQL roles under which the app cannot change its own audit log.

The owner role owns the tables and runs the migrations. The app role, under
which gunicorn connects, may read and write every table but ``audit_event``,
where it may only read and add (each event with the next id after the last): TRUNCATE,
UPDATE, DELETE and every ALTER TABLE (disabling the append-only trigger
among them) are refused to it, because it neither owns the table nor holds
those privileges. Run after every ``db upgrade`` (it is idempotent), as a
superuser or a role that may create roles and owns the tables.
"""

from __future__ import annotations

import re

from ..extensions import db

NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

ROLES_SQL = """\
-- Fieldlog's PostgreSQL roles (flask --app wsgi db-roles). Run after `db upgrade`, as a superuser.
DO $$
BEGIN
    IF to_regclass('public.audit_event') IS NULL THEN
        RAISE EXCEPTION 'no table audit_event: run flask --app wsgi db upgrade first';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN
        CREATE ROLE "{owner}" LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN
        CREATE ROLE "{app}" LOGIN;
    END IF;
END
$$;
ALTER ROLE "{app}" NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
REVOKE "{owner}" FROM "{app}";
-- The owner owns every table (and so their sequences) and the append-only trigger's function.
GRANT USAGE, CREATE ON SCHEMA public TO "{owner}";
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t.tablename, '{owner}');
    END LOOP;
END
$$;
ALTER FUNCTION public.audit_event_append_only() OWNER TO "{owner}";
-- The app: read and write, but only read and add to the audit log; create nothing.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO "{app}";
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{app}";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{app}";
REVOKE INSERT, UPDATE, DELETE ON public.alembic_version FROM "{app}";
REVOKE UPDATE, DELETE ON public.audit_event FROM "{app}";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{app}";
-- Tables that later migrations (run as the owner) create are the app's to use too.
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{app}";
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO "{app}";
"""


class RoleNameError(ValueError):
    """A role name that is not a plain lower-case PostgreSQL identifier."""


def roles_sql(owner: str, app_role: str) -> str:
    """The SQL that makes (or brings up to date) the owner and app roles."""
    for option, name in (("--owner", owner), ("--app-role", app_role)):
        if not NAME.fullmatch(name) or name.startswith("pg_"):
            raise RoleNameError(
                f"{option}: {name!r} is not a role name (a-z, 0-9 and _, not starting with pg_)"
            )
    if owner == app_role:
        raise RoleNameError("--app-role: must differ from --owner")
    return ROLES_SQL.format(owner=owner, app=app_role)


def apply_roles(sql: str) -> None:
    """Run the roles' SQL on the app's database, in one transaction."""
    # The driver's own cursor, without parameters: the SQL's format('%I') is PostgreSQL's.
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()
    db.session.commit()

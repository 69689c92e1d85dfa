"""What the server itself enforces in a team dossier: privileges, row-level security, triggers.

The SQL here is data: :func:`statements` renders it for one dossier (its schema and group roles)
and :func:`app.team.setup.apply` runs it, again on every ``team init`` (it is idempotent), so
tables that later migrations add get their privileges too. Who is acting is always the
authenticated login (``session_user``); its rank comes from membership of the dossier's groups
(``dossier_role_of``; a superuser counts as an administrator).

The rules, each enforced here and, first, by the services:

- everyone reads everything; annotators may import documents, edit the codebook and write
  annotations *as themselves* (``author_id`` is their own users row);
- an annotation is changed or deleted only by its author or an administrator; a reviewer may
  change nothing of someone else's annotation but its status, and only by recording a decision;
- a status changes only along the review workflow (``dossier_annotation_guard``): the author
  submits (draft or changes requested -> submitted), an edit reopens (submitted or approved ->
  draft), and a reviewer or administrator who is *not* the author decides on a submitted
  annotation, with the decision recorded in ``reviews`` in the same transaction; a new annotation
  starts as a draft (or submitted) unless an administrator imports it;
- a review is recorded by a reviewer as themselves, never on their own annotation;
- ``audit_events`` is append-only: SELECT and INSERT are granted, UPDATE, DELETE and TRUNCATE to
  nobody, and a trigger refuses them even to the tables' owner; an event must extend the chain
  (its ``seq`` follows the newest and its ``prev_hash`` is that event's hash) and name the login
  as its actor;
- the chain head kept in ``dossier_meta`` must name the newest event actually in the chain when
  the transaction commits (a deferred constraint trigger) and is never deleted, so nobody can
  point it elsewhere (``verify`` compares the two, and appends start from it); the ``team`` keys
  are an administrator's;
- users rows: a login may record (or update) itself with the role the server gives it;
  administrators the rest.
"""

from __future__ import annotations

from app.team.functions import functions, grant_function
from app.team.naming import GroupRoles, literal, quote_name

#: Tables that only grow (and are read): no UPDATE or DELETE is granted on them (a review goes
#: when its annotation is deleted, by the foreign key's cascade, which needs no privilege; an
#: original, content-addressed, is never rewritten).
APPEND_ONLY = ("audit_events", "reviews", "originals")
#: Tables whose rows nobody the application creates deletes.
NO_DELETE = ("users", "dossier_meta")
#: Tables nobody but the schema's owner writes.
READ_ONLY = ("alembic_version",)

def group_statements(groups: GroupRoles) -> list[str]:
    """Create the three group roles (if missing) and rank them: each higher one holds the lower."""
    out = []
    for name in groups.all():
        out.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal(name)}) "
            f"THEN CREATE ROLE {quote_name(name)} NOLOGIN; END IF; END $$")
    out.append(f"GRANT {quote_name(groups.annotator)} TO {quote_name(groups.reviewer)}")
    out.append(f"GRANT {quote_name(groups.reviewer)} TO {quote_name(groups.administrator)}")
    return out


def _policies(schema: str) -> list[str]:
    s = quote_name(schema)
    admin = "dossier_my_role() = 'administrator'"
    reviewer_up = "dossier_my_role() IN ('reviewer', 'administrator')"
    rules: dict[str, list[tuple[str, str, str]]] = {
        # (policy name, command, clauses)
        "annotations": [
            ("read", "SELECT", "USING (true)"),
            ("add", "INSERT", f"WITH CHECK (author_id = dossier_me() OR {admin})"),
            ("change", "UPDATE",
             f"USING (true) WITH CHECK (author_id = dossier_me() OR {reviewer_up})"),
            ("remove", "DELETE", "USING (true)"),
        ],
        "annotation_tags": [
            ("read", "SELECT", "USING (true)"),
            ("add", "INSERT", "WITH CHECK (true)"),
            ("remove", "DELETE", "USING (true)"),
        ],
        "reviews": [
            ("read", "SELECT", "USING (true)"),
            ("decide", "INSERT", f"""WITH CHECK (
                (reviewer_id = dossier_me() AND {reviewer_up}
                 AND decision IN ('approved', 'rejected', 'changes_requested')
                 AND EXISTS (SELECT 1 FROM {s}.annotations a WHERE a.id = annotation_id
                             AND a.status = 'submitted'
                             AND a.author_id IS DISTINCT FROM dossier_me()))
                OR ({admin} AND reviewer_id IS DISTINCT FROM dossier_me()))"""),
        ],
        "comments": [
            ("read", "SELECT", "USING (true)"),
            ("add", "INSERT", f"WITH CHECK (author_id = dossier_me() OR {admin})"),
            ("change", "UPDATE", f"USING (author_id = dossier_me() OR {admin})"),
            ("remove", "DELETE", f"USING (author_id = dossier_me() OR {admin})"),
        ],
        "users": [
            ("read", "SELECT", "USING (true)"),
            ("add", "INSERT", f"""WITH CHECK ({admin} OR (name = session_user::text
                AND role = dossier_role_of(name)))"""),
            ("change", "UPDATE", f"""USING ({admin} OR name = session_user::text)
                WITH CHECK ({admin} OR (name = session_user::text
                AND role = dossier_role_of(name)))"""),
        ],
        "audit_events": [
            ("read", "SELECT", "USING (true)"),
            ("append", "INSERT", f"WITH CHECK (actor = session_user::text OR {admin})"),
        ],
        "dossier_meta": [
            ("read", "SELECT", "USING (true)"),
            ("add", "INSERT", "WITH CHECK (true)"),
            ("change", "UPDATE", "USING (true)"),
            ("remove", "DELETE", f"USING ({admin})"),
        ],
    }
    out: list[str] = []
    for table, policies in rules.items():
        t = f"{s}.{quote_name(table)}"
        out.append(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        out.append(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
        out.append(f"""DO $$ DECLARE p text; BEGIN
  FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = {literal(schema)}
           AND tablename = {literal(table)} AND policyname LIKE 'dossier\\_%' LOOP
    EXECUTE format('DROP POLICY %I ON {t}', p);
  END LOOP;
END $$""")
        for name, command, clauses in policies:
            policy = quote_name("dossier_" + name)
            out.append(f"CREATE POLICY {policy} ON {t} FOR {command} {clauses}")
    return out


def _triggers(schema: str) -> list[str]:
    s = quote_name(schema)
    triggers = [
        ("annotations", "dossier_guard", "BEFORE INSERT OR UPDATE OR DELETE", "ROW",
         "dossier_annotation_guard"),
        ("annotation_tags", "dossier_guard", "BEFORE INSERT OR DELETE", "ROW",
         "dossier_annotation_tag_guard"),
        ("audit_events", "dossier_link", "BEFORE INSERT", "ROW", "dossier_audit_link"),
        ("audit_events", "dossier_frozen", "BEFORE UPDATE OR DELETE", "ROW",
         "dossier_audit_frozen"),
        ("audit_events", "dossier_no_truncate", "BEFORE TRUNCATE", "STATEMENT",
         "dossier_audit_frozen"),
        ("dossier_meta", "dossier_guard", "BEFORE INSERT OR UPDATE OR DELETE", "ROW",
         "dossier_meta_guard"),
    ]
    out = []
    for table, name, when, each, function in triggers:
        t = f"{s}.{quote_name(table)}"
        out.append(f"DROP TRIGGER IF EXISTS {quote_name(name)} ON {t}")
        out.append(f"CREATE TRIGGER {quote_name(name)} {when} ON {t} FOR EACH {each} "
                   f"EXECUTE FUNCTION {s}.{function}()")
    meta = f"{s}.{quote_name('dossier_meta')}"
    out.append(f"DROP TRIGGER IF EXISTS dossier_head ON {meta}")
    out.append(f"CREATE CONSTRAINT TRIGGER dossier_head AFTER INSERT OR UPDATE ON {meta} "
               f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
               f"{s}.dossier_head_check()")
    return out


def _grants(schema: str, database: str, groups: GroupRoles) -> list[str]:
    s = quote_name(schema)
    member = quote_name(groups.annotator)
    out = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {member}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {member}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {member}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {member}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {s} FROM {member}",
    ]
    for table in APPEND_ONLY:
        out.append(f"DO $$ BEGIN IF to_regclass({literal(schema + '.' + table)}) IS NOT NULL THEN "
                   f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.{quote_name(table)} FROM {member}; "
                   "END IF; END $$")
    for table in NO_DELETE:
        out.append(f"REVOKE DELETE ON {s}.{quote_name(table)} FROM {member}")
    for table in READ_ONLY:
        out.append(f"DO $$ BEGIN IF to_regclass({literal(schema + '.' + table)}) IS NOT NULL THEN "
                   f"REVOKE INSERT, UPDATE, DELETE ON {s}.{quote_name(table)} FROM {member}; "
                   "END IF; END $$")
    # tables that later migrations add are readable and writable by the team at once; their
    # row-level rules come with the next 'team init'
    out += [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES "
        f"TO {member}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {member}",
    ]
    # only the team connects (where this login may say so: it owns the database or is superuser)
    db = quote_name(database)
    out.append(f"""DO $$ BEGIN
  IF pg_has_role(current_user, (SELECT datdba FROM pg_database
                                WHERE datname = current_database()), 'MEMBER') THEN
    EXECUTE 'REVOKE CONNECT, TEMPORARY ON DATABASE {db.replace("'", "''")} FROM PUBLIC';
    EXECUTE 'GRANT CONNECT, TEMPORARY ON DATABASE {db.replace("'", "''")} TO {member}';
  END IF;
END $$""")
    out.append(f"""DO $$ BEGIN
  IF pg_has_role(current_user,
                 (SELECT nspowner FROM pg_namespace WHERE nspname = {literal(schema)}),
                 'MEMBER') THEN
    EXECUTE 'REVOKE CREATE ON SCHEMA {s.replace("'", "''")} FROM PUBLIC';
  END IF;
END $$""")
    return out


def statements(schema: str, database: str, groups: GroupRoles) -> list[str]:
    """Every statement that makes (or re-makes) a migrated database a team dossier, in order."""
    return [*group_statements(groups), *functions(schema, groups),
            grant_function(schema, groups), *_policies(schema), *_triggers(schema),
            *_grants(schema, database, groups)]

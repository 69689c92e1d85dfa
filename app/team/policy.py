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
- the chain head kept in ``dossier_meta`` can only be set to the newest event actually in the
  chain, and never deleted, so nobody can point it elsewhere (``verify`` compares the two, and
  appends start from it); the ``team`` keys are an administrator's;
- users rows: a login may record (or update) itself with the role the server gives it;
  administrators the rest.
"""

from __future__ import annotations

from app.team.naming import GroupRoles

#: Tables that only grow (and are read): no UPDATE or DELETE is granted on them (a review goes
#: when its annotation is deleted, by the foreign key's cascade, which needs no privilege; an
#: original, content-addressed, is never rewritten).
APPEND_ONLY = ("audit_events", "reviews", "originals")
#: Tables whose rows nobody the application creates deletes.
NO_DELETE = ("users", "dossier_meta")
#: Tables nobody but the schema's owner writes.
READ_ONLY = ("alembic_version",)
#: ``dossier_meta`` keys only administrators write.
TEAM_KEY_PREFIX = "team_"
#: Tables with row-level security (and the policies below).
GUARDED = ("annotations", "annotation_tags", "reviews", "comments", "users", "audit_events",
           "dossier_meta")


def _q(name: str) -> str:
    """A double-quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    """A single-quoted literal."""
    return "'" + value.replace("'", "''") + "'"


def group_statements(groups: GroupRoles) -> list[str]:
    """Create the three group roles (if missing) and rank them: each higher one holds the lower."""
    out = []
    for name in groups.all():
        out.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_lit(name)}) "
            f"THEN CREATE ROLE {_q(name)} NOLOGIN; END IF; END $$")
    out.append(f"GRANT {_q(groups.annotator)} TO {_q(groups.reviewer)}")
    out.append(f"GRANT {_q(groups.reviewer)} TO {_q(groups.administrator)}")
    return out


def _functions(schema: str, groups: GroupRoles) -> list[str]:
    s = _q(schema)
    path = f"SET search_path = {s}, pg_temp"
    refuse = "USING ERRCODE = 'insufficient_privilege'"
    role_of = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_role_of(login text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN NULL
    WHEN pg_has_role(login, {_lit(groups.administrator)}, 'MEMBER') THEN 'administrator'
    WHEN pg_has_role(login, {_lit(groups.reviewer)}, 'MEMBER') THEN 'reviewer'
    WHEN pg_has_role(login, {_lit(groups.annotator)}, 'MEMBER') THEN 'annotator'
  END
$$"""
    my_role = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_my_role() RETURNS text
LANGUAGE sql STABLE {path} AS $$ SELECT {s}.dossier_role_of(session_user::text) $$"""
    me = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_me() RETURNS integer
LANGUAGE sql STABLE {path} AS $$ SELECT id FROM {s}.users WHERE name = session_user::text $$"""
    annotation_guard = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_annotation_guard() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
  me integer := dossier_me();
  rank text := dossier_my_role();
  own boolean;
  target text;
BEGIN
  IF rank IS NULL THEN
    RAISE EXCEPTION 'dossier: % has no role in this team dossier', session_user {refuse};
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF rank <> 'administrator' AND NEW.status NOT IN ('draft', 'submitted') THEN
      RAISE EXCEPTION 'dossier: a new annotation is a draft; only a reviewer''s decision makes '
        'it %', NEW.status {refuse};
    END IF;
    RETURN NEW;
  END IF;
  own := coalesce(OLD.author_id = me, false);
  target := left(OLD.id, 8);
  IF TG_OP = 'DELETE' THEN
    IF NOT own AND rank <> 'administrator' THEN
      RAISE EXCEPTION 'dossier: annotation % is someone else''s; only its author or an '
        'administrator may delete it', target {refuse};
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.author_id IS DISTINCT FROM OLD.author_id AND rank <> 'administrator' THEN
    RAISE EXCEPTION 'dossier: only an administrator changes who wrote annotation %', target
      {refuse};
  END IF;
  IF NOT own AND rank <> 'administrator' AND (
      rank <> 'reviewer' OR (to_jsonb(NEW) - '{{status,modified,version}}'::text[])
        IS DISTINCT FROM (to_jsonb(OLD) - '{{status,modified,version}}'::text[])) THEN
    RAISE EXCEPTION 'dossier: annotation % is someone else''s; only its author or an '
      'administrator may change it', target {refuse};
  END IF;
  IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NEW;
  END IF;
  IF NEW.status = 'submitted' THEN
    IF OLD.status NOT IN ('draft', 'changes_requested') OR NOT (own OR rank = 'administrator')
    THEN
      RAISE EXCEPTION 'dossier: annotation % is %; only its author (or an administrator) '
        'submits a draft', target, OLD.status {refuse};
    END IF;
  ELSIF NEW.status = 'draft' THEN
    IF OLD.status NOT IN ('submitted', 'approved') OR NOT (own OR rank = 'administrator') THEN
      RAISE EXCEPTION 'dossier: annotation % cannot go back to draft from %', target,
        OLD.status {refuse};
    END IF;
  ELSIF NEW.status IN ('approved', 'rejected', 'changes_requested') THEN
    IF own THEN
      RAISE EXCEPTION 'dossier: annotation % is your own; nobody decides on their own '
        'annotation', target {refuse};
    ELSIF rank = 'annotator' THEN
      RAISE EXCEPTION 'dossier: only reviewers and administrators decide on annotations; '
        '% is an annotator', session_user {refuse};
    ELSIF OLD.status <> 'submitted' THEN
      RAISE EXCEPTION 'dossier: annotation % is %, not submitted', target, OLD.status {refuse};
    ELSIF NOT EXISTS (SELECT 1 FROM reviews r WHERE r.annotation_id = NEW.id
                      AND r.reviewer_id = me AND r.decision = NEW.status) THEN
      RAISE EXCEPTION 'dossier: a status is set only by recording a decision in reviews '
        '(annotation %)', target {refuse};
    END IF;
  ELSE
    RAISE EXCEPTION 'dossier: % is not a review status', NEW.status {refuse};
  END IF;
  RETURN NEW;
END
$$"""
    tag_guard = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_annotation_tag_guard() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
  ann_id text;
  author integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    ann_id := OLD.annotation_id;
  ELSE
    ann_id := NEW.annotation_id;
  END IF;
  SELECT author_id INTO author FROM annotations WHERE id = ann_id;
  IF author IS DISTINCT FROM dossier_me() AND dossier_my_role() IS DISTINCT FROM 'administrator'
     AND author IS NOT NULL THEN
    RAISE EXCEPTION 'dossier: annotation % is someone else''s; only its author or an '
      'administrator may change its tags', left(ann_id, 8) {refuse};
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$"""
    audit_link = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_audit_link() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  SELECT seq, hash INTO last_seq, last_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    last_seq := 0;
    last_hash := repeat('0', 64);
  END IF;
  IF NEW.seq IS DISTINCT FROM last_seq + 1 OR NEW.prev_hash IS DISTINCT FROM last_hash THEN
    RAISE EXCEPTION 'dossier: audit event % does not extend the chain, whose newest event is %',
      NEW.seq, last_seq {refuse};
  END IF;
  RETURN NEW;
END
$$"""
    audit_frozen = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_audit_frozen() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
BEGIN
  RAISE EXCEPTION 'dossier: the audit log is append-only; % is refused', TG_OP {refuse};
END
$$"""
    meta_guard = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_meta_guard() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
  newest text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.key = 'audit_head' THEN
    IF TG_OP = 'DELETE' OR NEW.key <> OLD.key THEN
      RAISE EXCEPTION 'dossier: the audit chain head cannot be removed' {refuse};
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.key LIKE '{TEAM_KEY_PREFIX}%' AND dossier_my_role() IS DISTINCT FROM 'administrator'
    THEN
      RAISE EXCEPTION 'dossier: only an administrator changes the team settings' {refuse};
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.key = 'audit_head' THEN
    SELECT seq::text || ':' || hash INTO newest FROM audit_events ORDER BY seq DESC LIMIT 1;
    IF NEW.value IS DISTINCT FROM newest THEN
      RAISE EXCEPTION 'dossier: the audit chain head must name the newest event (%), not %',
        coalesce(newest, 'none'), NEW.value {refuse};
    END IF;
  ELSIF (NEW.key LIKE '{TEAM_KEY_PREFIX}%' OR (TG_OP = 'UPDATE' AND OLD.key LIKE
         '{TEAM_KEY_PREFIX}%')) AND dossier_my_role() IS DISTINCT FROM 'administrator' THEN
    RAISE EXCEPTION 'dossier: only an administrator changes the team settings' {refuse};
  END IF;
  RETURN NEW;
END
$$"""
    return [role_of, my_role, me, annotation_guard, tag_guard, audit_link, audit_frozen,
            meta_guard]


def grant_function(schema: str, groups: GroupRoles) -> str:
    """``dossier_team_grant(login, verifier, role)``: create a login (if new) and give it one role.

    SECURITY DEFINER: it runs with the rights of whoever ran ``team init`` (who may create roles),
    after checking that the caller is an administrator of this dossier. ``verifier`` is a SCRAM
    verifier computed on the client, so the password itself never reaches the server or its logs.
    ``new_role`` NULL takes every role of this dossier away (the login stays on the server).
    Returns true when the login was created.
    """
    s = _q(schema)
    refuse = "USING ERRCODE = 'insufficient_privilege'"
    bad = "USING ERRCODE = 'invalid_parameter_value'"
    groups_array = "ARRAY[" + ", ".join(_lit(g) for g in groups.all()) + "]"
    return rf"""
CREATE OR REPLACE FUNCTION {s}.dossier_team_grant(login text, verifier text, new_role text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  created boolean := false;
  grp text;
  admins integer;
BEGIN
  IF {s}.dossier_role_of(session_user::text) IS DISTINCT FROM 'administrator' THEN
    RAISE EXCEPTION 'dossier: only an administrator of this team dossier adds people or '
      'changes their role' {refuse};
  END IF;
  IF new_role IS NOT NULL AND new_role NOT IN ('annotator', 'reviewer', 'administrator') THEN
    RAISE EXCEPTION 'dossier: % is not a role (annotator, reviewer, administrator)', new_role
      {bad};
  END IF;
  IF login !~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{{0,62}}$' OR login LIKE 'pg\_%' THEN
    RAISE EXCEPTION 'dossier: % cannot be a login name (letters, digits, _ . @ -; not starting '
      'with pg_)', login {bad};
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login AND NOT rolcanlogin) THEN
    RAISE EXCEPTION 'dossier: % is a group role on this server, not a person''s login', login
      {bad};
  END IF;
  IF {s}.dossier_role_of(login) = 'administrator' AND new_role IS DISTINCT FROM 'administrator'
  THEN
    SELECT count(DISTINCT m.member) INTO admins FROM pg_auth_members m
      JOIN pg_roles r ON r.oid = m.member
      WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = {_lit(groups.administrator)})
        AND r.rolcanlogin;
    IF admins <= 1 THEN
      RAISE EXCEPTION 'dossier: % is the only administrator; make someone else administrator '
        'first', login {refuse};
    END IF;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
    IF new_role IS NULL THEN
      RAISE EXCEPTION 'dossier: there is no login %', login {bad};
    END IF;
    IF verifier IS NULL OR verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
      RAISE EXCEPTION 'dossier: a new login needs a password' {bad};
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, verifier);
    created := true;
  END IF;
  FOREACH grp IN ARRAY {groups_array} LOOP
    IF pg_has_role(login, grp, 'MEMBER') AND EXISTS (
        SELECT 1 FROM pg_auth_members m WHERE m.roleid = (SELECT oid FROM pg_roles
          WHERE rolname = grp) AND m.member = (SELECT oid FROM pg_roles WHERE rolname = login))
    THEN
      EXECUTE format('REVOKE %I FROM %I', grp, login);
    END IF;
  END LOOP;
  IF new_role IS NOT NULL THEN
    EXECUTE format('GRANT %I TO %I', {_lit(groups.prefix)} || '_' || new_role, login);
  END IF;
  RETURN created;
END
$$"""


def _policies(schema: str) -> list[str]:
    s = _q(schema)
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
        t = f"{s}.{_q(table)}"
        out.append(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        out.append(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
        out.append(f"""DO $$ DECLARE p text; BEGIN
  FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = {_lit(schema)}
           AND tablename = {_lit(table)} AND policyname LIKE 'dossier\\_%' LOOP
    EXECUTE format('DROP POLICY %I ON {t}', p);
  END LOOP;
END $$""")
        for name, command, clauses in policies:
            out.append(f"CREATE POLICY {_q('dossier_' + name)} ON {t} FOR {command} {clauses}")
    return out


def _triggers(schema: str) -> list[str]:
    s = _q(schema)
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
        t = f"{s}.{_q(table)}"
        out.append(f"DROP TRIGGER IF EXISTS {_q(name)} ON {t}")
        out.append(f"CREATE TRIGGER {_q(name)} {when} ON {t} FOR EACH {each} "
                   f"EXECUTE FUNCTION {s}.{function}()")
    return out


def _grants(schema: str, database: str, groups: GroupRoles) -> list[str]:
    s = _q(schema)
    member = _q(groups.annotator)
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
        out.append(f"DO $$ BEGIN IF to_regclass({_lit(schema + '.' + table)}) IS NOT NULL THEN "
                   f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.{_q(table)} FROM {member}; "
                   "END IF; END $$")
    for table in NO_DELETE:
        out.append(f"REVOKE DELETE ON {s}.{_q(table)} FROM {member}")
    for table in READ_ONLY:
        out.append(f"DO $$ BEGIN IF to_regclass({_lit(schema + '.' + table)}) IS NOT NULL THEN "
                   f"REVOKE INSERT, UPDATE, DELETE ON {s}.{_q(table)} FROM {member}; "
                   "END IF; END $$")
    # tables that later migrations add are readable and writable by the team at once; their
    # row-level rules come with the next 'team init'
    out += [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES "
        f"TO {member}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {member}",
    ]
    # only the team connects (where this login may say so: it owns the database or is superuser)
    db = _q(database)
    out.append(f"""DO $$ BEGIN
  IF pg_has_role(current_user, (SELECT datdba FROM pg_database
                                WHERE datname = current_database()), 'MEMBER') THEN
    EXECUTE 'REVOKE CONNECT, TEMPORARY ON DATABASE {db.replace("'", "''")} FROM PUBLIC';
    EXECUTE 'GRANT CONNECT, TEMPORARY ON DATABASE {db.replace("'", "''")} TO {member}';
  END IF;
END $$""")
    out.append(f"""DO $$ BEGIN
  IF pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = {_lit(schema)}),
                 'MEMBER') THEN
    EXECUTE 'REVOKE CREATE ON SCHEMA {s.replace("'", "''")} FROM PUBLIC';
  END IF;
END $$""")
    return out


def statements(schema: str, database: str, groups: GroupRoles) -> list[str]:
    """Every statement that makes (or re-makes) a migrated database a team dossier, in order."""
    return [*group_statements(groups), *_functions(schema, groups),
            grant_function(schema, groups), *_policies(schema), *_triggers(schema),
            *_grants(schema, database, groups)]

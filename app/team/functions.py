"""The server-side functions of a team dossier (PL/pgSQL, rendered per schema and groups).

Who is acting (``dossier_me``, ``dossier_my_role``, ``dossier_role_of``), the triggers that keep
the review workflow, the audit chain and its head (see :mod:`app.team.policy` for the rules), and
``dossier_team_grant``, the one way an administrator creates logins and moves them between groups.
"""

from __future__ import annotations

from app.team.naming import TEAM_KEY_PREFIX, GroupRoles, literal, quote_name


def functions(schema: str, groups: GroupRoles) -> list[str]:
    """Helper and trigger functions, in the order they must be created."""
    s = quote_name(schema)
    path = f"SET search_path = {s}, pg_temp"
    refuse = "USING ERRCODE = 'insufficient_privilege'"
    # The three helpers are plain SQL without a SET clause, so policies can inline them (they
    # run for every row written); every name in them is schema-qualified and the comparison
    # uses pg_catalog's operator, so a caller's search_path cannot change what they mean.
    role_of = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_role_of(login text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN pg_catalog.to_regrole(pg_catalog.quote_ident(login)) IS NULL THEN NULL
    WHEN pg_catalog.pg_has_role(login, {literal(groups.administrator)}, 'MEMBER')
      THEN 'administrator'
    WHEN pg_catalog.pg_has_role(login, {literal(groups.reviewer)}, 'MEMBER') THEN 'reviewer'
    WHEN pg_catalog.pg_has_role(login, {literal(groups.annotator)}, 'MEMBER') THEN 'annotator'
  END
$$"""
    my_role = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_my_role() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT {s}.dossier_role_of(session_user::text) $$"""
    me = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_me() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT id FROM {s}.users WHERE name OPERATOR(pg_catalog.=) session_user::text
$$"""
    annotation_guard = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_annotation_guard() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
  me integer;  -- looked up only for a change or a deletion (a new row is checked by its policy)
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
  me := dossier_me();
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
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.key = 'audit_head' THEN
    IF TG_OP = 'DELETE' OR NEW.key <> OLD.key THEN
      RAISE EXCEPTION 'dossier: the audit chain head cannot be removed' {refuse};
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF starts_with(OLD.key, '{TEAM_KEY_PREFIX}')
       AND dossier_my_role() IS DISTINCT FROM 'administrator'
    THEN
      RAISE EXCEPTION 'dossier: only an administrator changes the team settings' {refuse};
    END IF;
    RETURN OLD;
  END IF;
  IF (starts_with(NEW.key, '{TEAM_KEY_PREFIX}') OR (TG_OP = 'UPDATE'
         AND starts_with(OLD.key, '{TEAM_KEY_PREFIX}')))
        AND dossier_my_role() IS DISTINCT FROM 'administrator' THEN
    RAISE EXCEPTION 'dossier: only an administrator changes the team settings' {refuse};
  END IF;
  RETURN NEW;
END
$$"""
    # checked when the transaction commits: an event and the new head may be written by one
    # statement (a data-modifying WITH), in either order
    head_check = f"""
CREATE OR REPLACE FUNCTION {s}.dossier_head_check() RETURNS trigger
LANGUAGE plpgsql {path} AS $$
DECLARE
  head text;
  newest text;
BEGIN
  IF NEW.key <> 'audit_head' THEN
    RETURN NULL;
  END IF;
  SELECT value INTO head FROM dossier_meta WHERE key = 'audit_head';
  SELECT seq::text || ':' || hash INTO newest FROM audit_events ORDER BY seq DESC LIMIT 1;
  IF head IS DISTINCT FROM newest THEN
    RAISE EXCEPTION 'dossier: the audit chain head must name the newest event (%), not %',
      coalesce(newest, 'none'), head {refuse};
  END IF;
  RETURN NULL;
END
$$"""
    return [role_of, my_role, me, annotation_guard, tag_guard, audit_link, audit_frozen,
            meta_guard, head_check]


def grant_function(schema: str, groups: GroupRoles) -> str:
    """``dossier_team_grant(login, verifier, role)``: create a login (if new) and give it one role.

    SECURITY DEFINER: it runs with the rights of whoever ran ``team init`` (who may create roles),
    after checking that the caller is an administrator of this dossier. ``verifier`` is a SCRAM
    verifier computed on the client, so the password itself never reaches the server or its logs.
    ``new_role`` NULL takes every role of this dossier away (the login stays on the server).
    Returns true when the login was created.
    """
    s = quote_name(schema)
    refuse = "USING ERRCODE = 'insufficient_privilege'"
    bad = "USING ERRCODE = 'invalid_parameter_value'"
    groups_array = "ARRAY[" + ", ".join(literal(g) for g in groups.all()) + "]"
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
      WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = {literal(groups.administrator)})
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
    EXECUTE format('GRANT %I TO %I', {literal(groups.prefix)} || '_' || new_role, login);
  END IF;
  RETURN created;
END
$$"""

"""PostgreSQL isolation: one rater group per study, a rater sees only its own work list, and the
database itself refuses a rater's forged ratings and audit rows (issue 18). SQLite: nothing.

* **A group role per study that cannot collide.** 0006 named it after the database
  (``left('rushrater_raters_' || db, 63)``): two databases sharing 46 characters shared it, and a
  new database of a dropped one's name inherited its raters. The group is now
  ``rushrater_g_<24 random hex>``, recorded in the study by the function ``rushrater_rater_group()``;
  a name that already exists on the server is refused. On upgrade the raters move from the old
  group to the new one, and the old group loses every right here (and is dropped when no other
  database still uses it).
* **Only its own work list.** The rater group reads no table of the study directly except the
  rubric; it reads security-barrier views in schema ``rushrater_rater``, which each rater login
  puts first on its ``search_path`` (``ALTER ROLE … IN DATABASE … SET``), so the app's unchanged
  queries read them: its own rater row (no one else's PIN hash), its own assignments, the cases and
  images of those (a case's patient, time point and creation time read as NULL), the study row
  with every secret setting (…hash, …password, …secret) left out. Patients, time points, the plan,
  de-identification details and the login map are out of reach.
* **Only complete, consistent ratings of its own.** For a rater login, triggers make the server
  clock the submit time (and no start after it), accept only ``source = 'workstation'`` with the
  study's rubric, for a case on its own reading list, a correction only as the next version of
  its own newest reading, and at commit (a deferred
  constraint trigger) only a rating whose item scores cover the rubric and add up to its subtotals
  and total, with its one audit event. Item scores may only join a rating inserted in the same
  transaction. A rater's audit row can only be the ``rating.submit`` / ``rating.correct`` event of
  such a rating, once; the database writes its time and content from the stored rows.
* **TRUNCATE** of the append-only tables is refused (to the owner too: a statement trigger);
  rater logins never had the privilege.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op
from sqlalchemy import text

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

VIEW_SCHEMA = "rushrater_rater"
OLD_GROUP_SQL = "left('rushrater_raters_' || current_database(), 63)"
APPEND_ONLY = ("rating", "rating_score", "audit_event", "consensus", "patient_anthropometry", "body_composition")
RUBRIC_TABLES = ("rubric", "rubric_component", "rubric_item", "rubric_level")
OWN_ROWS = ("rating", "rating_score", "audit_event")
#: Read by raters through a view only (or not at all: patient, timepoint, reading_plan, ...).
HIDDEN_TABLES = ("alembic_version", "study", "rater_group", "rater", "patient", "reading_case", "image",
                 "image_blob", "reading_plan", "assignment", "timepoint")
#: Settings whose name says secret never reach a rater's view of the study row.
SECRET_SETTING = "(hash|password|secret)"

# A scalar subquery: evaluated once per statement (an InitPlan), not once per row scanned.
ME = "(SELECT rushrater_rater_of(current_user))"
MY_CASES = f"(SELECT a.case_id FROM public.assignment a WHERE a.rater_id = {ME})"
VIEWS = {
    "alembic_version": "SELECT version_num FROM public.alembic_version",
    "study": (
        "SELECT s.id, s.uid, s.title, s.rubric_id, "
        "(SELECT coalesce(json_object_agg(k.key, k.value), '{}'::json) FROM json_each(s.settings) k "
        f"WHERE k.key !~* '{SECRET_SETTING}') AS settings, s.created_at, s.created_with FROM public.study s"
    ),
    "rater": (
        "SELECT r.id, r.code, r.name, r.name_key, r.group_id, r.pin_hash, r.created_at "
        f"FROM public.rater r WHERE r.id = {ME}"
    ),
    "rater_group": f"SELECT g.id, g.name FROM public.rater_group g WHERE g.id IN (SELECT group_id FROM public.rater WHERE id = {ME})",
    "assignment": (
        "SELECT a.id, a.plan_id, a.rater_id, a.case_id, a.read_number, a.position, a.available_from "
        f"FROM public.assignment a WHERE a.rater_id = {ME}"
    ),
    "reading_case": (
        "SELECT c.id, c.code, NULL::integer AS patient_id, NULL::integer AS timepoint_id, "
        f"NULL::timestamptz AS created_at FROM public.reading_case c WHERE c.id IN {MY_CASES}"
    ),
    "image": (
        "SELECT i.id, i.case_id, i.view, i.content_sha256, i.file_sha256, i.storage_key, i.width, i.height, "
        "i.bits_stored, i.photometric, i.rescale_slope, i.rescale_intercept, i.window_center, i.window_width, "
        "i.pixel_spacing_mm, i.source_format, i.display, NULL::timestamptz AS created_at "
        f"FROM public.image i WHERE i.case_id IN {MY_CASES}"
    ),
    "image_blob": (
        "SELECT b.key, b.sha256, b.size, b.data, NULL::timestamptz AS created_at FROM public.image_blob b "
        f"WHERE b.key IN (SELECT i.storage_key FROM public.image i WHERE i.case_id IN {MY_CASES})"
    ),
}

# A rater login may ask these only about itself (session_user: the login, even inside a definer
# function); the coordinator, who is no rater login, about anyone.
ONLY_ITSELF = ("(login = session_user OR NOT EXISTS "
               "(SELECT 1 FROM rater_db_role own WHERE own.role_name = session_user))")
# Definer functions: what a rater may know about the study without reading its tables.
HELPERS = (
    "CREATE OR REPLACE FUNCTION rushrater_rater_of(login name) RETURNS integer LANGUAGE sql STABLE "
    "SECURITY DEFINER SET search_path = public, pg_temp AS "
    f"$$ SELECT rater_id FROM rater_db_role WHERE role_name = login AND {ONLY_ITSELF} $$",
    "CREATE FUNCTION rushrater_rater_code_of(login name) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = public, pg_temp AS "
    "$$ SELECT r.code FROM rater_db_role m JOIN rater r ON r.id = m.rater_id "
    f"WHERE m.role_name = login AND {ONLY_ITSELF} $$",
    "CREATE FUNCTION rushrater_study_rubric() RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = public, pg_temp AS $$ SELECT rubric_id FROM study $$",
    # Whether the calling rater login set its PIN in this very transaction (its first-login audit row).
    "CREATE FUNCTION rushrater_rater_pin_chosen_now() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = public, pg_temp AS $$ SELECT EXISTS (SELECT 1 FROM rater "
    "WHERE id = rushrater_rater_of(session_user) AND pin_hash IS NOT NULL AND xmin = pg_current_xact_id()::xid) $$",
)

# What the audit trail says about a rating, as services.ratings._audit_view writes it.
AUDIT_VIEW = """
CREATE FUNCTION rushrater_rating_audit_view(rid integer) RETURNS json LANGUAGE sql STABLE
SET search_path = public, pg_temp AS $$
  SELECT json_build_object(
    'case_id', r.case_id, 'read_number', r.read_number, 'version', r.version,
    'values', (SELECT json_object_agg(i.key, s.value ORDER BY i.position)
               FROM rating_score s JOIN rubric_item i ON i.id = s.item_id WHERE s.rating_id = r.id),
    'total', r.total, 'unreadable_reason', r.unreadable_reason)
  FROM rating r WHERE r.id = rid
$$
"""

# The guards run as the inserting login (SECURITY INVOKER) so row-level security still limits
# what they see; for anyone who is not a rater login (the coordinator) they do nothing.
RATING_GUARD = """
CREATE FUNCTION rushrater_rater_rating_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $$
DECLARE
  me integer := rushrater_rater_of(current_user);
  prior rating%ROWTYPE;
BEGIN
  IF me IS NULL THEN RETURN NEW; END IF;
  -- A rater's rating is dated by the server, not by the workstation's clock.
  NEW.submitted_at := now();
  IF NEW.rater_id IS DISTINCT FROM me THEN
    RAISE EXCEPTION 'a rater login stores only its own ratings' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.source IS DISTINCT FROM 'workstation' THEN
    RAISE EXCEPTION 'a rater login stores only workstation ratings (source %)', NEW.source
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.rubric_id IS DISTINCT FROM rushrater_study_rubric() THEN
    RAISE EXCEPTION 'a rating must use the study''s rubric' USING ERRCODE = 'check_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM rushrater_rater.assignment a WHERE a.case_id = NEW.case_id) THEN
    RAISE EXCEPTION 'a rater login rates only cases on its own reading list' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- started_at comes from the workstation's clock: never after the server's submit time (a
  -- workstation clock running ahead must not make its submits fail).
  NEW.started_at := least(NEW.started_at, NEW.submitted_at);
  IF NEW.supersedes_id IS NOT NULL THEN
    SELECT * INTO prior FROM rating WHERE id = NEW.supersedes_id;
    IF NOT FOUND OR prior.rater_id <> me OR prior.case_id <> NEW.case_id
       OR prior.read_number <> NEW.read_number OR NEW.version <> prior.version + 1
       OR EXISTS (SELECT 1 FROM rating WHERE supersedes_id = prior.id) THEN
      RAISE EXCEPTION 'a correction supersedes only the newest version of the rater''s own reading'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END $$
"""

RATING_COMPLETE = """
CREATE FUNCTION rushrater_rater_rating_complete() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $$
DECLARE
  n integer; summed integer; expected integer; sub jsonb;
BEGIN
  IF rushrater_rater_of(current_user) IS NULL THEN RETURN NULL; END IF;
  SELECT count(*), sum(s.value) INTO n, summed FROM rating_score s
    JOIN rubric_item i ON i.id = s.item_id AND i.rubric_id = NEW.rubric_id WHERE s.rating_id = NEW.id;
  IF NEW.unreadable_reason IS NOT NULL THEN
    -- (SQLAlchemy stores a Python None in a JSON column as JSON null)
    IF n > 0 OR coalesce(NEW.subtotals::jsonb, 'null'::jsonb) <> 'null'::jsonb
       OR EXISTS (SELECT 1 FROM rating_score WHERE rating_id = NEW.id) THEN
      RAISE EXCEPTION 'rating %: an unreadable case carries no scores', NEW.id USING ERRCODE = 'check_violation';
    END IF;
  ELSE
    SELECT count(*) INTO expected FROM rubric_item WHERE rubric_id = NEW.rubric_id;
    SELECT jsonb_object_agg(c.key, coalesce(t.total, 0)) INTO sub
      FROM rubric_component c
      LEFT JOIN (SELECT i.component_id, sum(s.value) AS total FROM rating_score s
                 JOIN rubric_item i ON i.id = s.item_id WHERE s.rating_id = NEW.id GROUP BY i.component_id) t
        ON t.component_id = c.id
      WHERE c.rubric_id = NEW.rubric_id;
    IF n <> expected OR (SELECT count(*) FROM rating_score WHERE rating_id = NEW.id) <> expected
       OR summed IS DISTINCT FROM NEW.total OR NEW.subtotals::jsonb IS DISTINCT FROM sub THEN
      RAISE EXCEPTION 'rating %: the item scores must cover the rubric and add up to its subtotals and total', NEW.id
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM audit_event WHERE entity = 'rating' AND entity_id = NEW.id::text) THEN
    RAISE EXCEPTION 'rating %: a rater''s rating is stored with its audit event', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$
"""

SCORE_GUARD = """
CREATE FUNCTION rushrater_rater_score_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $$
BEGIN
  IF rushrater_rater_of(current_user) IS NULL THEN RETURN NEW; END IF;
  -- xmin: the rating row was written by this very transaction (the submit that stores it).
  IF NOT EXISTS (SELECT 1 FROM rating WHERE id = NEW.rating_id AND xmin = pg_current_xact_id()::xid) THEN
    RAISE EXCEPTION 'item scores are stored only with their rating, in the same submit'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$
"""

AUDIT_GUARD = """
CREATE FUNCTION rushrater_rater_audit_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $$
DECLARE
  me integer := rushrater_rater_of(current_user);
  r rating%ROWTYPE;
BEGIN
  IF me IS NULL THEN RETURN NEW; END IF;
  NEW.at := now();
  NEW.actor := 'rater:' || rushrater_rater_code_of(current_user);
  -- The workstation reports an image of a case on the rater's own list that failed to load.
  IF NEW.action = 'image.load_failed' THEN
    IF NEW.entity IS DISTINCT FROM 'reading_case' OR NEW.entity_id !~ '^[0-9]{1,9}$' OR NOT EXISTS (
        SELECT 1 FROM rushrater_rater.assignment a WHERE a.case_id = NEW.entity_id::integer) THEN
      RAISE EXCEPTION 'a rater login reports failed images of its own cases only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.before := NULL;
    NEW.reason := NULL;
    RETURN NEW;
  END IF;
  -- A rater without a PIN chooses one at first login (the rater trigger lets it set only a NULL one).
  IF NEW.action = 'rater.pin' THEN
    IF NEW.entity IS DISTINCT FROM 'rater' OR NEW.entity_id IS DISTINCT FROM me::text
       OR NOT rushrater_rater_pin_chosen_now() THEN
      RAISE EXCEPTION 'a rater login records only choosing its own first PIN' USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.before := '{"pin_set": false}'::json;
    NEW.after := '{"pin_set": true}'::json;
    RETURN NEW;
  END IF;
  IF NEW.entity IS DISTINCT FROM 'rating' OR NEW.action NOT IN ('rating.submit', 'rating.correct')
     OR NEW.entity_id !~ '^[0-9]{1,9}$' THEN
    RAISE EXCEPTION 'a rater login writes only the audit event of its own submit' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO r FROM rating WHERE id = NEW.entity_id::integer AND rater_id = me AND xmin = pg_current_xact_id()::xid;
  IF NOT FOUND OR (NEW.action = 'rating.correct') <> (r.version > 1)
     OR EXISTS (SELECT 1 FROM audit_event WHERE entity = 'rating' AND entity_id = NEW.entity_id) THEN
    RAISE EXCEPTION 'a rater login writes only the audit event of its own submit' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Who and when (above) and what come from the stored rows, not from the workstation.
  NEW.after := rushrater_rating_audit_view(r.id);
  IF r.supersedes_id IS NULL THEN
    NEW.before := NULL;
    NEW.reason := NULL;
  ELSE
    NEW.before := rushrater_rating_audit_view(r.supersedes_id);
    NEW.reason := r.change_reason;
  END IF;
  RETURN NEW;
END $$
"""

# A rater login may change its own row only to choose a first PIN (never to replace one).
PIN_GUARD = """
CREATE FUNCTION rushrater_rater_pin_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $$
DECLARE
  me integer := rushrater_rater_of(current_user);
BEGIN
  IF me IS NULL THEN RETURN NEW; END IF;
  IF OLD.id IS DISTINCT FROM me OR OLD.pin_hash IS NOT NULL OR NEW.pin_hash IS NULL
     OR (NEW.id, NEW.code, NEW.name, NEW.name_key, NEW.group_id, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.code, OLD.name, OLD.name_key, OLD.group_id, OLD.created_at) THEN
    RAISE EXCEPTION 'a rater login may only choose its own first PIN' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$
"""

NO_TRUNCATE = (
    "CREATE FUNCTION rushrater_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION '% rows are append-only: TRUNCATE is refused', TG_TABLE_NAME "
    "USING ERRCODE = 'insufficient_privilege'; END $$"
)

GUARD_FUNCTIONS = ("rushrater_rater_rating_guard()", "rushrater_rater_rating_complete()", "rushrater_rater_score_guard()",
                   "rushrater_rater_audit_guard()", "rushrater_rater_pin_guard()", "rushrater_rating_audit_view(integer)",
                   "rushrater_rater_code_of(name)", "rushrater_study_rubric()", "rushrater_rater_group()",
                   "rushrater_rater_pin_chosen_now()")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from rushrater.domain.errors import DuplicateError
    from rushrater.storage.access import new_group_role_name

    group = new_group_role_name()
    if bind.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :g"), {"g": group}).first() is not None:
        raise DuplicateError(
            f"the rater group role {group} already exists on this server",
            fix="nothing was created; run the command again (a new random name is drawn), "
                "or ask the server administrator who made that role",
        )
    op.execute(f'CREATE ROLE "{group}" NOLOGIN')
    op.execute(
        "CREATE FUNCTION rushrater_rater_group() RETURNS name LANGUAGE sql IMMUTABLE "
        f"AS $$ SELECT '{group}'::name $$"
    )
    _retire_old_group()

    op.execute(NO_TRUNCATE)
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION rushrater_no_truncate()")

    for statement in (*HELPERS, AUDIT_VIEW, RATING_GUARD, RATING_COMPLETE, SCORE_GUARD, AUDIT_GUARD, PIN_GUARD):
        op.execute(statement)
    # a0_: these run before any other BEFORE INSERT trigger (PostgreSQL fires them by name), so a
    # later one (an audit hash chain) sees the row as the database rewrote it.
    op.execute("CREATE TRIGGER a0_rater_guard BEFORE INSERT ON rating FOR EACH ROW "
               "EXECUTE FUNCTION rushrater_rater_rating_guard()")
    op.execute("CREATE CONSTRAINT TRIGGER rater_rating_complete AFTER INSERT ON rating "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rushrater_rater_rating_complete()")
    op.execute("CREATE TRIGGER a0_rater_guard BEFORE INSERT ON rating_score FOR EACH ROW "
               "EXECUTE FUNCTION rushrater_rater_score_guard()")
    op.execute("CREATE TRIGGER a0_rater_guard BEFORE INSERT ON audit_event FOR EACH ROW "
               "EXECUTE FUNCTION rushrater_rater_audit_guard()")
    op.execute("CREATE TRIGGER a0_rater_guard BEFORE UPDATE ON rater FOR EACH ROW "
               "EXECUTE FUNCTION rushrater_rater_pin_guard()")

    op.execute(f"CREATE SCHEMA {VIEW_SCHEMA}")
    for name, query in VIEWS.items():
        op.execute(f"CREATE VIEW {VIEW_SCHEMA}.{name} WITH (security_barrier) AS {query}")

    g = f'"{group}"'
    op.execute(f'GRANT CONNECT ON DATABASE "{_database(bind)}" TO {g}')
    op.execute(f"GRANT USAGE ON SCHEMA public, {VIEW_SCHEMA} TO {g}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {VIEW_SCHEMA} TO {g}")
    op.execute(f"GRANT SELECT ON {', '.join(RUBRIC_TABLES)} TO {g}")
    op.execute(f"GRANT SELECT, INSERT ON {', '.join(OWN_ROWS)} TO {g}")
    op.execute(f"GRANT UPDATE (pin_hash) ON {VIEW_SCHEMA}.rater TO {g}")
    op.execute(f"GRANT USAGE ON SEQUENCE rating_id_seq, audit_event_id_seq TO {g}")
    for function in ("rushrater_rater_of(name)", "rushrater_rater_code_of(name)", "rushrater_study_rubric()",
                     "rushrater_rater_pin_chosen_now()"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {g}")
    _create_policies(g)
    # PostgreSQL 14 and older let PUBLIC create objects in schema public, where a rater could plant
    # a lookalike function; only the schema's owner may revoke that, so try and carry on otherwise.
    op.execute(
        "DO $$ BEGIN REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
        "EXCEPTION WHEN insufficient_privilege THEN NULL; END $$"
    )
    # Raters enrolled before this revision: into the new group, with the views first on their path.
    for (login,) in bind.execute(text("SELECT m.role_name FROM rater_db_role m JOIN pg_roles r ON r.rolname = m.role_name")):
        op.execute(f'GRANT {g} TO "{login}"')
        op.execute(f'ALTER ROLE "{login}" IN DATABASE "{_database(bind)}" SET search_path = {VIEW_SCHEMA}, public')


def _database(bind) -> str:
    return bind.execute(text("SELECT current_database()")).scalar_one()


def _create_policies(group: str) -> None:
    for table in OWN_ROWS:
        op.execute(f"DROP POLICY IF EXISTS rater_own ON {table}")
    op.execute(f"CREATE POLICY rater_own ON rating TO {group} USING (rater_id = {ME}) WITH CHECK (rater_id = {ME})")
    own_rating = f"rating_id IN (SELECT id FROM rating WHERE rater_id = {ME})"
    op.execute(f"CREATE POLICY rater_own ON rating_score TO {group} USING ({own_rating}) WITH CHECK ({own_rating})")
    own_actor = "actor = (SELECT 'rater:' || rushrater_rater_code_of(current_user))"
    op.execute(f"CREATE POLICY rater_own ON audit_event TO {group} USING ({own_actor}) WITH CHECK ({own_actor})")


def _retire_old_group() -> None:
    """0006's group (named after the database, maybe shared with another one) loses every right here."""
    op.execute(
        f"""
        DO $$
        DECLARE old text := {OLD_GROUP_SQL}; login text;
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = old) THEN RETURN; END IF;
          FOR login IN SELECT m.role_name FROM rater_db_role m JOIN pg_roles r ON r.rolname = m.role_name LOOP
            EXECUTE format('REVOKE %I FROM %I', old, login);
          END LOOP;
          DROP POLICY IF EXISTS rater_own ON rating;
          DROP POLICY IF EXISTS rater_own ON rating_score;
          DROP POLICY IF EXISTS rater_own ON audit_event;
          EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', old);
          EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', old);
          EXECUTE format('REVOKE ALL ON FUNCTION rushrater_rater_of(name) FROM %I', old);
          EXECUTE format('REVOKE ALL ON SCHEMA public FROM %I', old);
          EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), old);
          BEGIN
            EXECUTE format('DROP ROLE %I', old);
          EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
            NULL;  -- another database (the name collision) still grants it rights: that one keeps it
          END;
        END $$
        """
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    group = bind.execute(text("SELECT rushrater_rater_group()")).scalar_one()
    logins = [r for (r,) in bind.execute(text(
        "SELECT m.role_name FROM rater_db_role m JOIN pg_roles r ON r.rolname = m.role_name"))]
    database = _database(bind)
    op.execute(f"DROP SCHEMA {VIEW_SCHEMA} CASCADE")
    for table in OWN_ROWS:
        op.execute(f"DROP POLICY IF EXISTS rater_own ON {table}")
    for table in ("rating", "rating_score", "audit_event", "rater"):
        op.execute(f"DROP TRIGGER IF EXISTS a0_rater_guard ON {table}")
    op.execute("DROP TRIGGER IF EXISTS rater_rating_complete ON rating")
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS rushrater_no_truncate()")
    for login in logins:
        op.execute(f'ALTER ROLE "{login}" IN DATABASE "{database}" RESET search_path')
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{group}"')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{group}"')
    op.execute(f'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM "{group}"')
    op.execute(f'REVOKE ALL ON SCHEMA public FROM "{group}"')
    op.execute(f'REVOKE ALL ON DATABASE "{database}" FROM "{group}"')
    for function in GUARD_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute(
        "CREATE OR REPLACE FUNCTION rushrater_rater_of(login name) RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = public, pg_temp AS $$ SELECT rater_id FROM rater_db_role WHERE role_name = login $$"
    )
    op.execute(f'DROP ROLE "{group}"')
    # Back to 0006's group, named after the database.
    op.execute(
        f"""
        DO $$
        DECLARE grp text := {OLD_GROUP_SQL};
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
          END IF;
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), grp);
          EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', grp);
          EXECUTE format('GRANT SELECT ON {", ".join((*HIDDEN_TABLES, *RUBRIC_TABLES))} TO %I', grp);
          EXECUTE format('GRANT SELECT, INSERT ON {", ".join(OWN_ROWS)} TO %I', grp);
          EXECUTE format('GRANT USAGE ON SEQUENCE rating_id_seq, audit_event_id_seq TO %I', grp);
          EXECUTE format('GRANT EXECUTE ON FUNCTION rushrater_rater_of(name) TO %I', grp);
          EXECUTE format('CREATE POLICY rater_own ON rating TO %I USING (rater_id = {ME}) WITH CHECK (rater_id = {ME})', grp);
          EXECUTE format('CREATE POLICY rater_own ON rating_score TO %I '
                         'USING (rating_id IN (SELECT id FROM rating WHERE rater_id = {ME})) '
                         'WITH CHECK (rating_id IN (SELECT id FROM rating WHERE rater_id = {ME}))', grp);
          EXECUTE format('CREATE POLICY rater_own ON audit_event TO %I '
                         'USING (actor = (SELECT ''rater:'' || code FROM rater WHERE id = {ME})) '
                         'WITH CHECK (actor = (SELECT ''rater:'' || code FROM rater WHERE id = {ME}))', grp);
        END $$
        """
    )
    for login in logins:
        op.execute(f"DO $$ BEGIN EXECUTE format('GRANT %I TO %I', {OLD_GROUP_SQL}, '{login}'); END $$")

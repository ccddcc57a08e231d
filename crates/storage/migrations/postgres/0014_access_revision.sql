-- The access revision: one row whose number moves with every change to the
-- unit tree (units, their versions and successions) or to the role grants.
-- Each node remembers the callers' grant scopes and the subtrees it has
-- walked while the number stays (crates/storage/src/access_cache.rs).
-- Triggers move it in the changing transaction itself, so no write path,
-- import or repair can forget to. Paired with
-- migrations/sqlite/0014_access_revision.sql.
CREATE TABLE access_revision (
    id        BIGINT NOT NULL,
    revision  BIGINT NOT NULL,
    CONSTRAINT access_revision_pkey PRIMARY KEY (id),
    CONSTRAINT access_revision_id_check CHECK (id = 1),
    CONSTRAINT access_revision_revision_check CHECK (revision >= 0)
);
INSERT INTO access_revision (id, revision) VALUES (1, 0);

CREATE FUNCTION access_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER units_access_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION access_revision_bump();
CREATE TRIGGER unit_versions_access_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_versions
    FOR EACH STATEMENT EXECUTE FUNCTION access_revision_bump();
CREATE TRIGGER unit_successions_access_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_successions
    FOR EACH STATEMENT EXECUTE FUNCTION access_revision_bump();
CREATE TRIGGER role_grants_access_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_grants
    FOR EACH STATEMENT EXECUTE FUNCTION access_revision_bump();

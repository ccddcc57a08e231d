-- The access revision: one row whose number moves with every change to the
-- unit tree (units, their versions and successions) or to the role grants.
-- Each node remembers the callers' grant scopes and the subtrees it has
-- walked while the number stays (crates/storage/src/access_cache.rs).
-- Triggers move it in the changing transaction itself, so no write path,
-- import or repair can forget to. Paired with
-- migrations/postgres/0014_access_revision.sql.
CREATE TABLE access_revision (
    id        INTEGER NOT NULL,
    revision  INTEGER NOT NULL,
    CONSTRAINT access_revision_pkey PRIMARY KEY (id),
    CONSTRAINT access_revision_id_check CHECK (id = 1),
    CONSTRAINT access_revision_revision_check CHECK (revision >= 0)
);
INSERT INTO access_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER units_access_insert AFTER INSERT ON units
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER units_access_update AFTER UPDATE ON units
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER units_access_delete AFTER DELETE ON units
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;

CREATE TRIGGER unit_versions_access_insert AFTER INSERT ON unit_versions
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER unit_versions_access_update AFTER UPDATE ON unit_versions
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER unit_versions_access_delete AFTER DELETE ON unit_versions
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;

CREATE TRIGGER unit_successions_access_insert AFTER INSERT ON unit_successions
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER unit_successions_access_update AFTER UPDATE ON unit_successions
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER unit_successions_access_delete AFTER DELETE ON unit_successions
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;

CREATE TRIGGER role_grants_access_insert AFTER INSERT ON role_grants
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER role_grants_access_update AFTER UPDATE ON role_grants
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER role_grants_access_delete AFTER DELETE ON role_grants
BEGIN UPDATE access_revision SET revision = revision + 1 WHERE id = 1; END;

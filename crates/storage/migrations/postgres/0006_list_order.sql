-- The dossier list by due moment within statuses (issue 5 benchmark: a
-- district's queue "processing + awaiting supplement, by due" read 28,000
-- rows at 1,000,000 dossiers to keep 100). Paired with
-- migrations/sqlite/0006_list_order.sql: same name, same columns.
--
-- Covers what the list chooses its page from: a status range, the holder
-- and unit conditions and the due moment come from the index alone, so
-- the page costs the index entries of those statuses, not a visit to each
-- row; the rows of the page itself are read afterwards (list_dossiers).
-- The holder comes second so that a unit's queue (open statuses held in a
-- set of units) is a range of the index on PostgreSQL.
CREATE INDEX dossiers_status_due_idx
    ON dossiers (status, holder_unit_id, unit_id, current_due_ms);

-- A dossier's open steps, newest first: the approval queue asks whether
-- the latest one is a leader's for each candidate (PostgreSQL otherwise
-- searched dossier_steps_open_idx by its second column, 0.2 ms a dossier).
CREATE INDEX dossier_steps_open_dossier_idx
    ON dossier_steps (dossier_id, id)
    WHERE ended_at_ms IS NULL;

-- The dossiers a person holds (the "assigned to me" queue): most dossiers
-- are held by a unit only, so the index keeps the others.
CREATE INDEX dossiers_holder_user_idx
    ON dossiers (holder_user_id, status)
    WHERE holder_user_id IS NOT NULL;

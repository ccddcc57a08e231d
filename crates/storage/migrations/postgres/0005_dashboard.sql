-- Indexes for the home dashboard's counts (issue 6). Paired with
-- migrations/sqlite/0005_dashboard.sql: same names, same columns.
--
-- Each count starts from the index of its moment or status and reads the
-- unit, status, channel and classification from the index itself, so it
-- costs the dossiers counted (a month of receptions, the open dossiers),
-- never a visit to each of their rows. The two indexes of 0004 that these
-- widen are replaced: the wider ones lead with the same column, so the
-- dossier list's filters use them as before.

DROP INDEX dossiers_received_at_idx;
CREATE INDEX dossiers_received_idx
    ON dossiers (received_at_ms, status, channel, unit_id, holder_unit_id);

DROP INDEX dossiers_running_due_idx;
-- Open dossiers whose clock runs, by due moment: near due, overdue, due today.
CREATE INDEX dossiers_running_idx
    ON dossiers (current_due_ms, near_due_ms, status, unit_id, holder_unit_id, clock_running)
    WHERE clock_running;

-- Ends by moment with their classification: the month's on-time rate.
CREATE INDEX dossiers_ended_idx
    ON dossiers (ended_at_ms, classification, status, unit_id, holder_unit_id);

-- Dossiers in progress by status (a small part of the table).
CREATE INDEX dossiers_in_progress_idx
    ON dossiers (status, unit_id, holder_unit_id)
    WHERE status IN ('awaiting_online_reception', 'received', 'processing',
        'awaiting_supplement', 'awaiting_financial_obligation');

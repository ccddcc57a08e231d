-- Room on each page of the statistics layer for its rows' next versions
-- (issue 17's PostgreSQL load). A counter row is written once and then
-- updated by every later change of its day, month, quarter and year: with
-- full pages each update moved the row to another page and added an entry
-- to the primary key, so the key grew and most updates rewrote two pages.
-- With a quarter of each page free, PostgreSQL keeps the new version on the
-- same page and the key untouched (a heap-only update). Pages written from
-- now on get the room; the existing ones get it as they are rewritten.
-- Paired with migrations/sqlite/0020_stat_counts_fillfactor.sql.
ALTER TABLE stat_counts SET (fillfactor = 75);

-- Refunds of fees paid online (domain.md §8; issue 19, point 5). Paired with
-- migrations/postgres/0018_payment_refunds.sql.
--
-- `payments.refunded_dong` is what has been given back (or is being asked
-- back) of a paid payment. A refund takes its amount there first, in one
-- guarded UPDATE (`refunded_dong + amount <= amount_dong`), so two refunds
-- asked at once can never give back more than was paid; a refund the
-- gateway refuses returns its amount. A payment refunded in full no longer
-- counts as paid online in the statistics.
ALTER TABLE payments ADD COLUMN refunded_dong INTEGER NOT NULL DEFAULT 0
    CONSTRAINT payments_refunded_dong_check CHECK (refunded_dong >= 0 AND refunded_dong <= amount_dong);

-- One row per refund asked of the gateway, under our unique reference (the
-- gateway answers a repeated reference with the first answer). `pending`
-- until the gateway answers; `done` with the gateway's transaction, or
-- `refused` with its reason.
CREATE TABLE payment_refunds (
    id              INTEGER CONSTRAINT payment_refunds_pkey PRIMARY KEY AUTOINCREMENT,
    payment_id      INTEGER NOT NULL,
    reference       TEXT    NOT NULL,
    amount_dong     INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    transaction_no  TEXT,
    outcome         TEXT,
    requested_by    TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    settled_at_ms   INTEGER,
    CONSTRAINT payment_refunds_reference_key UNIQUE (reference),
    CONSTRAINT payment_refunds_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id),
    CONSTRAINT payment_refunds_status_check CHECK (status IN ('pending', 'done', 'refused')),
    CONSTRAINT payment_refunds_amount_dong_check CHECK (amount_dong > 0),
    CONSTRAINT payment_refunds_reason_check CHECK (length(reason) BETWEEN 1 AND 1000)
);
CREATE INDEX payment_refunds_payment_id_idx ON payment_refunds (payment_id);
-- Reconciliation reads a day's refunds and a day's settled payments.
CREATE INDEX payment_refunds_created_at_ms_idx ON payment_refunds (created_at_ms);
CREATE INDEX payments_settled_at_ms_idx ON payments (settled_at_ms);

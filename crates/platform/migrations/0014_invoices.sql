-- 0014: invoices (seed 004) and what usage reports and invoices read (seed 003).
-- An invoice covers one account's calendar month (in the account's time zone), is made
-- from that month's ledger in one transaction, and is numbered when issued from one
-- platform-wide gapless sequence (the MAX + 1 of the issued ones, under the write lock).
-- Once issued, neither it nor its lines can change or go (triggers below).

-- Invoices and the ledger both read a month of one account's entries.
CREATE INDEX ledger_by_account_time ON ledger_entries(account_id, created_at);

CREATE TABLE invoices (
    id                      TEXT PRIMARY KEY,
    account_id              TEXT NOT NULL REFERENCES accounts(id),
    -- YYYY-MM.
    period                  TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    -- The first and last local day, the zone they are in, and the UTC instants between
    -- which the ledger entries were taken: [period_from, period_until).
    period_start            TEXT NOT NULL,
    period_end              TEXT NOT NULL,
    time_zone               TEXT NOT NULL,
    period_from             TEXT NOT NULL,
    period_until            TEXT NOT NULL,
    currency                TEXT NOT NULL,
    -- NULL while the invoice is being made (inside the issuing transaction only).
    sequence                INTEGER UNIQUE,
    number                  TEXT UNIQUE,
    issued_at               TEXT,
    -- Who issued it and to whom, as they were when it was issued (domain::invoice's
    -- Seller and Buyer as JSON): a later change of address does not rewrite an invoice.
    seller                  TEXT NOT NULL,
    buyer                   TEXT NOT NULL,
    charges_minor           INTEGER NOT NULL DEFAULT 0,
    credits_minor           INTEGER NOT NULL DEFAULT 0,
    total_minor             INTEGER NOT NULL DEFAULT 0,
    payments_received_minor INTEGER NOT NULL DEFAULT 0,
    created_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- One invoice per account and month, whoever issues it.
    UNIQUE (account_id, period),
    CHECK ((issued_at IS NULL) = (number IS NULL) AND (number IS NULL) = (sequence IS NULL))
);
CREATE INDEX invoices_by_account ON invoices(account_id, period);

-- section: charges, credits_and_corrections, or payments (received; not in the total).
CREATE TABLE invoice_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id   TEXT NOT NULL REFERENCES invoices(id),
    section      TEXT NOT NULL CHECK (section IN ('charges', 'credits_and_corrections', 'payments')),
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL,
    country      TEXT,
    messages     INTEGER,
    segments     INTEGER,
    reference    TEXT,
    -- Payments: when received.
    at           TEXT,
    amount_minor INTEGER NOT NULL
);
CREATE INDEX invoice_lines_by_invoice ON invoice_lines(invoice_id, id);

-- The job runner's claim of an (account, month): inserted once, by whichever runner gets
-- there first, whether or not the month had anything to invoice (invoice_id NULL), so a
-- month is looked at once per account.
CREATE TABLE invoice_claims (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    period     TEXT NOT NULL,
    invoice_id TEXT REFERENCES invoices(id),
    claimed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account_id, period)
);

CREATE TRIGGER issued_invoices_are_immutable BEFORE UPDATE ON invoices
WHEN OLD.issued_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable; issue a credit note instead');
END;
CREATE TRIGGER issued_invoices_are_never_deleted BEFORE DELETE ON invoices
WHEN OLD.issued_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable; issue a credit note instead');
END;
CREATE TRIGGER issued_invoice_lines_are_fixed BEFORE INSERT ON invoice_lines
WHEN (SELECT issued_at FROM invoices WHERE id = NEW.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable; issue a credit note instead');
END;
CREATE TRIGGER issued_invoice_lines_are_immutable BEFORE UPDATE ON invoice_lines
WHEN (SELECT issued_at FROM invoices WHERE id = OLD.invoice_id) IS NOT NULL
  OR (SELECT issued_at FROM invoices WHERE id = NEW.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable; issue a credit note instead');
END;
CREATE TRIGGER issued_invoice_lines_are_never_deleted BEFORE DELETE ON invoice_lines
WHEN (SELECT issued_at FROM invoices WHERE id = OLD.invoice_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable; issue a credit note instead');
END;

-- 0027: the operator's number inventory (issue 18). A number the operator holds exists
-- before (and after) it is rented: free (account_id and role NULL) or assigned to an
-- account (both set). What a customer will search by when taking a number themselves is
-- kept with it: the country and kind, an optional area code and region label, and an
-- optional monthly price. Who added it and a note are the operator's.
--
-- SQLite cannot drop NOT NULL in place, so the table is rebuilt with its rows as they are
-- (every existing number is assigned: it was added when it was rented) and its indexes.
-- No trigger or foreign key names the table. The database only guards the invariants;
-- what a number's kind, role or price should be is decided in Rust (domain::inbound::inventory).
CREATE TABLE numbers_new (
    number              TEXT PRIMARY KEY,
    country             TEXT NOT NULL,
    kind                TEXT NOT NULL DEFAULT 'virtual' CHECK (kind IN ('virtual', 'shortcode', 'mobile', 'landline')),
    account_id          TEXT REFERENCES accounts(id),
    role                TEXT CHECK (role IN ('primary', 'secondary')),
    -- The national area code (digits, no trunk prefix: Stockholm is 8) and/or a region
    -- label ("Stockholm"), for customers' search later.
    area_code           TEXT CHECK (area_code IS NULL OR (area_code <> '' AND area_code NOT GLOB '*[^0-9]*')),
    region              TEXT CHECK (region IS NULL OR region <> ''),
    -- What a customer will pay a month for it, in minor units of currency; none: not
    -- offered for self-service yet.
    monthly_price_minor INTEGER CHECK (monthly_price_minor IS NULL OR monthly_price_minor >= 0),
    currency            TEXT CHECK (currency IS NULL OR length(currency) = 3),
    note                TEXT,
    -- Who put it in the inventory: `staff:<user id>`, `operator` (the admin token), or NULL
    -- for numbers that came with an assignment.
    added_by            TEXT,
    -- When it came to the platform (for numbers from before the inventory, when rented).
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- When it was rented to its account; NULL while free.
    assigned_at         TEXT,
    -- Free has no role and no rental time; assigned has both.
    CHECK ((account_id IS NULL) = (role IS NULL)),
    CHECK ((account_id IS NULL) = (assigned_at IS NULL)),
    CHECK ((monthly_price_minor IS NULL) = (currency IS NULL))
);
INSERT INTO numbers_new (number, country, kind, account_id, role, created_at, assigned_at)
    SELECT number, country, kind, account_id, role, created_at, created_at FROM numbers;
DROP TABLE numbers;
ALTER TABLE numbers_new RENAME TO numbers;
CREATE INDEX numbers_by_account ON numbers(account_id);
CREATE UNIQUE INDEX numbers_one_primary_per_account ON numbers(account_id) WHERE role = 'primary';
-- The inventory's filters and counts (country, kind, free or not), in number order.
CREATE INDEX numbers_by_country_kind ON numbers(country, kind, number);

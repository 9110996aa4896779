-- 0028: the operator's own configuration as a reseller (seed 003 "My Account", issue 18):
-- one row. The company that runs the platform (the seller on invoices while its name is
-- set; until then the seller_* variables), the defaults the console gives new clients, and
-- the Stripe gateway. The Stripe secrets are sealed at rest under secrets_key
-- (domain::carriers::sealed, purpose `platform:stripe:<field>`); only their last four
-- characters are kept in the clear, to show which key is set. Changes are recorded in
-- staff_events (target `settings:company`, `settings:payment_gateway`), never a secret.
CREATE TABLE reseller_settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    company_name        TEXT,
    organisation_number TEXT,
    vat_number          TEXT,
    address_line1       TEXT,
    address_line2       TEXT,
    postal_code         TEXT,
    city                TEXT,
    country             TEXT,
    email               TEXT,
    phone               TEXT,
    website             TEXT,
    default_currency    TEXT NOT NULL DEFAULT 'SEK',
    date_format         TEXT NOT NULL DEFAULT 'YYYY-MM-DD'
                        CHECK (date_format IN ('YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY')),
    time_zone           TEXT NOT NULL DEFAULT 'Europe/Stockholm',
    company_updated_at  TEXT,
    stripe_mode         TEXT NOT NULL DEFAULT 'test' CHECK (stripe_mode IN ('test', 'live')),
    stripe_secret_key   TEXT,
    stripe_secret_key_hint TEXT,
    stripe_webhook_secret TEXT,
    stripe_webhook_secret_hint TEXT,
    stripe_publishable_key TEXT,
    gateway_updated_at  TEXT,
    -- The operator's own account test SMS are sent from (made at the first test SMS, it
    -- pays for them on credit): a test never charges a customer.
    test_account_id     TEXT REFERENCES accounts(id)
);
INSERT INTO reseller_settings (id) VALUES (1);

-- The schema after every migration in crates/platform/migrations/, as SQLite keeps it.
-- Generated: SCHEMA_WRITE=1 cargo test -p e2e --test schema (checked by that test).

CREATE TABLE accounts (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    currency           TEXT NOT NULL,
    balance_minor      INTEGER NOT NULL DEFAULT 0,
    credit_limit_minor INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    blocked            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
, time_zone TEXT NOT NULL DEFAULT 'UTC', status_callback TEXT, webhook_secret TEXT, webhook_secret_previous TEXT, webhook_secret_rotated_at TEXT, languages TEXT NOT NULL DEFAULT 'sv,en', stop_by_reply INTEGER NOT NULL DEFAULT 1, stop_by_link INTEGER NOT NULL DEFAULT 0, help_reply TEXT, opt_out_reply TEXT, save_reply TEXT, inbound_webhook TEXT, kind TEXT NOT NULL DEFAULT 'international' CHECK (kind IN ('swedish', 'international')), company_name TEXT, organisation_number TEXT, vat_number TEXT, address_line1 TEXT, address_line2 TEXT, postal_code TEXT, city TEXT, country TEXT, contact_name TEXT, contact_email TEXT, contact_phone TEXT, invoice_email TEXT, date_format TEXT NOT NULL DEFAULT 'YYYY-MM-DD' CHECK (date_format IN ('YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY')), note TEXT, sms_credits INTEGER NOT NULL DEFAULT 0 CHECK (sms_credits >= 0), voice_credits INTEGER NOT NULL DEFAULT 0 CHECK (voice_credits >= 0), rate_limit_per_second INTEGER
    CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second BETWEEN 1 AND 100000), key_rate_limit_per_second INTEGER
    CHECK (key_rate_limit_per_second IS NULL OR key_rate_limit_per_second BETWEEN 1 AND 100000), lookups_version INTEGER NOT NULL DEFAULT 0, inbound_format TEXT NOT NULL DEFAULT 'json' CHECK (inbound_format IN ('json', 'twilio')), approval TEXT NOT NULL DEFAULT 'approved'
    CHECK (approval IN ('awaiting_email', 'pending', 'approved', 'rejected')), signup_domain TEXT);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    hint       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at TEXT
, scopes TEXT NOT NULL DEFAULT '', allowed_ips TEXT NOT NULL DEFAULT '');

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    before     TEXT,
    after      TEXT,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE blocklist (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    number     TEXT NOT NULL CHECK (number GLOB '+[1-9]*'),
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    removed_at TEXT,
    removed_by TEXT,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);

CREATE TABLE callback_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES callback_deliveries(id),
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    http_status INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL
);

CREATE TABLE callback_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL DEFAULT 'message.status',
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    message_id       TEXT REFERENCES messages(id),
    message_event_id INTEGER REFERENCES message_events(id),
    inbound_id       TEXT,
    url              TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_until      TEXT,
    last_http_status INTEGER,
    last_error       TEXT,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at      TEXT
, format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'twilio')));

CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    reference   TEXT NOT NULL,
    description TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ended_at    TEXT
);

CREATE TABLE "carrier_connections" (
    name                  TEXT PRIMARY KEY,
    adapter               TEXT NOT NULL CHECK (length(adapter) BETWEEN 1 AND 32 AND adapter NOT GLOB '*[^a-z0-9_-]*'
                                               AND adapter GLOB '[a-z]*'),
    base_url              TEXT NOT NULL,
    credentials_sealed    TEXT,
    credentials_hint      TEXT,
    webhook_secret_sealed TEXT,
    webhook_secret_hint   TEXT,
    throughput_per_second INTEGER CHECK (throughput_per_second IS NULL OR throughput_per_second > 0),
    enabled               INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE carrier_costs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    connection        TEXT NOT NULL REFERENCES carrier_connections(name),
    currency          TEXT NOT NULL,
    scope             TEXT NOT NULL,
    per_segment_milli INTEGER NOT NULL CHECK (per_segment_milli >= 0),
    effective_from    TEXT NOT NULL,
    effective_to      TEXT CHECK (effective_to IS NULL OR effective_to > effective_from),
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE contact_groups (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL CHECK (name <> ''),
    name_key   TEXT NOT NULL CHECK (name_key <> ''),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, name_key)
);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    number      TEXT NOT NULL CHECK (number GLOB '+[1-9]*'),
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    search_name TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, number)
);

CREATE TABLE credit_entries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    unit          TEXT NOT NULL CHECK (unit IN ('sms', 'voice')),
    amount        INTEGER NOT NULL CHECK (amount <> 0),
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    kind          TEXT NOT NULL CHECK (kind IN ('spend', 'refund', 'package_purchase', 'subscription_renewal', 'correction')),
    reference     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE emails (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'outbox' CHECK (status IN ('outbox', 'sent', 'failed')),
    detail     TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES contact_groups(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    added_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (group_id, contact_id)
);

CREATE TABLE idempotency_keys (
    account_id   TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account_id, key)
);

CREATE TABLE inbound_messages (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT REFERENCES accounts(id),
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT NOT NULL,
    sender             TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    body               TEXT NOT NULL,
    parts              INTEGER NOT NULL DEFAULT 1,
    missing_parts      TEXT,
    action             TEXT NOT NULL DEFAULT 'none',
    action_detail      TEXT,
    received_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE inbound_parts (
    carrier            TEXT NOT NULL,
    sender             TEXT NOT NULL,
    reference          TEXT NOT NULL,
    part               INTEGER NOT NULL,
    parts              INTEGER NOT NULL,
    recipient          TEXT NOT NULL,
    carrier_message_id TEXT NOT NULL,
    body               TEXT NOT NULL,
    received_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (carrier, sender, reference, part)
);

CREATE TABLE invoice_claims (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    period     TEXT NOT NULL,
    invoice_id TEXT REFERENCES invoices(id),
    claimed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account_id, period)
);

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
    at           TEXT,
    amount_minor INTEGER NOT NULL
);

CREATE TABLE invoices (
    id                      TEXT PRIMARY KEY,
    account_id              TEXT NOT NULL REFERENCES accounts(id),
    period                  TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    period_start            TEXT NOT NULL,
    period_end              TEXT NOT NULL,
    time_zone               TEXT NOT NULL,
    period_from             TEXT NOT NULL,
    period_until            TEXT NOT NULL,
    currency                TEXT NOT NULL,
    sequence                INTEGER UNIQUE,
    number                  TEXT UNIQUE,
    issued_at               TEXT,
    seller                  TEXT NOT NULL,
    buyer                   TEXT NOT NULL,
    charges_minor           INTEGER NOT NULL DEFAULT 0,
    credits_minor           INTEGER NOT NULL DEFAULT 0,
    total_minor             INTEGER NOT NULL DEFAULT 0,
    payments_received_minor INTEGER NOT NULL DEFAULT 0,
    created_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, period),
    CHECK ((issued_at IS NULL) = (number IS NULL) AND (number IS NULL) = (sequence IS NULL))
);

CREATE TABLE keywords (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    word        TEXT NOT NULL,
    word_key    TEXT NOT NULL,
    reply       TEXT,
    forward_url TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account_id, word_key)
);

CREATE TABLE "ledger_entries" (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    amount_minor        INTEGER NOT NULL,
    balance_after_minor INTEGER NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('debit', 'refund', 'topup', 'correction', 'payment',
                                                      'credit_note', 'package_purchase', 'subscription_renewal')),
    reference           TEXT NOT NULL,
    description         TEXT NOT NULL,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE login_failures (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id    TEXT NOT NULL REFERENCES users(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    level      TEXT NOT NULL CHECK (level IN ('user', 'manager', 'admin')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), accepted_at TEXT,
    PRIMARY KEY (user_id, account_id)
);

CREATE TABLE message_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL REFERENCES messages(id),
    status     INTEGER NOT NULL,
    at         TEXT NOT NULL,
    source     TEXT NOT NULL,
    detail     TEXT
);

CREATE TABLE message_parts (
    message_id         TEXT NOT NULL REFERENCES messages(id),
    part               INTEGER NOT NULL CHECK (part >= 1),
    parts              INTEGER NOT NULL CHECK (parts >= part AND parts <= 255),
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT,
    status             INTEGER,
    status_at          TEXT,
    PRIMARY KEY (message_id, part)
);

CREATE TABLE messages (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts(id),
    batch_id           TEXT NOT NULL,
    client_reference   TEXT,
    sender             TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    country            TEXT NOT NULL,
    body               TEXT NOT NULL,
    encoding           TEXT NOT NULL,
    segments           INTEGER NOT NULL,
    price_minor        INTEGER NOT NULL,
    currency           TEXT NOT NULL,
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT,
    status             INTEGER NOT NULL,
    status_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status_source      TEXT NOT NULL,
    status_detail      TEXT,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
, status_callback TEXT, send_at TEXT, expires_at TEXT, credits INTEGER NOT NULL DEFAULT 0, due_at TEXT, submit_attempts INTEGER NOT NULL DEFAULT 0, submit_unknown_since TEXT, route_plan TEXT, cost_milli INTEGER, original_sender TEXT, original_body TEXT, lookups_version INTEGER, deleted_at TEXT, callback_format TEXT NOT NULL DEFAULT 'json' CHECK (callback_format IN ('json', 'twilio')));

CREATE TABLE "numbers" (
    number              TEXT PRIMARY KEY,
    country             TEXT NOT NULL,
    kind                TEXT NOT NULL DEFAULT 'virtual' CHECK (kind IN ('virtual', 'shortcode', 'mobile', 'landline')),
    account_id          TEXT REFERENCES accounts(id),
    role                TEXT CHECK (role IN ('primary', 'secondary')),
    area_code           TEXT CHECK (area_code IS NULL OR (area_code <> '' AND area_code NOT GLOB '*[^0-9]*')),
    region              TEXT CHECK (region IS NULL OR region <> ''),
    monthly_price_minor INTEGER CHECK (monthly_price_minor IS NULL OR monthly_price_minor >= 0),
    currency            TEXT CHECK (currency IS NULL OR length(currency) = 3),
    note                TEXT,
    added_by            TEXT,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    assigned_at         TEXT,
    CHECK ((account_id IS NULL) = (role IS NULL)),
    CHECK ((account_id IS NULL) = (assigned_at IS NULL)),
    CHECK ((monthly_price_minor IS NULL) = (currency IS NULL))
);

CREATE TABLE one_time_tokens (
    digest     TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    email      TEXT,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
, account_id TEXT REFERENCES accounts(id));

CREATE TABLE package_purchases (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    package_id      TEXT NOT NULL REFERENCES packages(id),
    subscription_id TEXT REFERENCES subscriptions(id),
    cost_minor      INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE packages (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    cost_minor    INTEGER NOT NULL CHECK (cost_minor >= 0),
    sms_credits   INTEGER NOT NULL DEFAULT 0 CHECK (sms_credits >= 0),
    voice_credits INTEGER NOT NULL DEFAULT 0 CHECK (voice_credits >= 0),
    numbers       INTEGER NOT NULL DEFAULT 0 CHECK (numbers >= 0),
    frequency     TEXT NOT NULL CHECK (frequency IN ('once', 'daily', 'weekly', 'monthly')),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE payments (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    kind            TEXT NOT NULL CHECK (kind IN ('stripe_topup', 'topup', 'payment', 'credit_note', 'correction')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'mismatch', 'recorded')),
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    reference       TEXT NOT NULL,
    corrects        TEXT REFERENCES payments(id),
    description     TEXT NOT NULL,
    stripe_mode     TEXT CHECK (stripe_mode IN ('test', 'live')),
    stripe_session  TEXT UNIQUE,
    stripe_payment  TEXT UNIQUE,
    paid_minor      INTEGER,
    paid_currency   TEXT,
    detail          TEXT,
    ledger_entry_id INTEGER UNIQUE REFERENCES ledger_entries(id),
    actor           TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    settled_at      TEXT
, package_id TEXT REFERENCES packages(id));

CREATE TABLE phone_code_sends (
    message_id TEXT PRIMARY KEY REFERENCES messages(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE phone_codes (
    user_id     TEXT PRIMARY KEY REFERENCES users(id),
    phone       TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE price_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        TEXT REFERENCES accounts(id),
    currency          TEXT NOT NULL,
    scope             TEXT NOT NULL,
    per_segment_milli INTEGER NOT NULL CHECK (per_segment_milli >= 0),
    effective_from    TEXT NOT NULL,
    effective_to      TEXT CHECK (effective_to IS NULL OR effective_to > effective_from),
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE receipts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    carrier            TEXT NOT NULL,
    carrier_message_id TEXT NOT NULL,
    dedupe_key         TEXT NOT NULL UNIQUE,
    raw_status         TEXT NOT NULL,
    raw_error          TEXT,
    mapped_status      INTEGER NOT NULL,
    message_id         TEXT,
    outcome            TEXT NOT NULL,
    body               TEXT NOT NULL,
    received_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
, part INTEGER, parts INTEGER, detail TEXT);

CREATE TABLE recovery_codes (
    user_id     TEXT NOT NULL REFERENCES users(id),
    code_digest TEXT NOT NULL,
    used_at     TEXT,
    PRIMARY KEY (user_id, code_digest)
);

CREATE TABLE registered_senders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    sender     TEXT NOT NULL,
    country    TEXT NOT NULL CHECK (length(country) = 2),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (account_id, sender, country)
);

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
    test_account_id     TEXT REFERENCES accounts(id)
);

CREATE TABLE route_connections (
    route_id   INTEGER NOT NULL REFERENCES routes(id),
    position   INTEGER NOT NULL,
    connection TEXT NOT NULL REFERENCES carrier_connections(name),
    weight     INTEGER NOT NULL DEFAULT 0 CHECK (weight >= 0),
    PRIMARY KEY (route_id, position)
);

CREATE TABLE routes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT REFERENCES accounts(id),
    scope      TEXT NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('failover', 'weighted', 'least_cost')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE send_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     TEXT REFERENCES accounts(id),
    kind           TEXT NOT NULL CHECK (kind IN ('sender', 'content', 'banned')),
    name           TEXT NOT NULL,
    scope          TEXT NOT NULL,
    from_sender    TEXT,
    from_kind      TEXT CHECK (from_kind IN ('numeric', 'alphanumeric')),
    pattern        TEXT,
    pattern_kind   TEXT CHECK (pattern_kind IN ('literal', 'regex')),
    case_sensitive INTEGER NOT NULL DEFAULT 0,
    replacement    TEXT,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (kind <> 'sender' OR (replacement IS NOT NULL AND pattern IS NULL)),
    CHECK (kind = 'sender' OR (pattern IS NOT NULL AND from_sender IS NULL AND from_kind IS NULL)),
    CHECK (kind <> 'content' OR replacement IS NOT NULL),
    CHECK (kind <> 'banned' OR replacement IS NULL)
);

CREATE TABLE sender_registration_countries (
    country    TEXT PRIMARY KEY CHECK (length(country) = 2),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE signup_domains (
    host               TEXT PRIMARY KEY,
    brand_name         TEXT NOT NULL,
    signup_enabled     INTEGER NOT NULL DEFAULT 0 CHECK (signup_enabled IN (0, 1)),
    currency           TEXT NOT NULL,
    credit_limit_minor INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    new_account_status TEXT NOT NULL DEFAULT 'pending' CHECK (new_account_status IN ('active', 'pending')),
    portal_areas       TEXT NOT NULL,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE smpp_credentials (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    system_id     TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(system_id) BETWEEN 1 AND 15),
    password_hash TEXT NOT NULL,
    allowed_ips   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at    TEXT
);

CREATE TABLE staff (
    user_id     TEXT PRIMARY KEY REFERENCES users(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    disabled_at TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    created_by  TEXT NOT NULL
);

CREATE TABLE staff_events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after  TEXT,
    at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE staff_group_members (
    group_id TEXT NOT NULL REFERENCES staff_groups(id),
    user_id  TEXT NOT NULL REFERENCES staff(user_id),
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE staff_group_permissions (
    group_id   TEXT NOT NULL REFERENCES staff_groups(id),
    area       TEXT NOT NULL,
    permission TEXT NOT NULL CHECK (permission IN ('allow', 'deny')),
    PRIMARY KEY (group_id, area)
);

CREATE TABLE staff_groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 100),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE subscription_renewals (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    period_index    INTEGER NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('renewed', 'past_due', 'ended')),
    cost_minor      INTEGER NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (subscription_id, period_index)
);

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts(id),
    package_id           TEXT NOT NULL REFERENCES packages(id),
    name                 TEXT NOT NULL,
    currency             TEXT NOT NULL,
    cost_minor           INTEGER NOT NULL,
    sms_credits          INTEGER NOT NULL,
    voice_credits        INTEGER NOT NULL,
    numbers              INTEGER NOT NULL,
    frequency            TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'canceled', 'past_due')),
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    anchor_at            TEXT NOT NULL,
    period_index         INTEGER NOT NULL DEFAULT 0,
    current_period_start TEXT NOT NULL,
    next_renewal_at      TEXT NOT NULL,
    canceled_at          TEXT,
    ended_at             TEXT,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE twiml_replies (
    inbound_id  TEXT NOT NULL REFERENCES inbound_messages(id),
    reply_index INTEGER NOT NULL,
    message_id  TEXT REFERENCES messages(id),
    detail      TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (inbound_id, reply_index)
);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE,
    email_confirmed_at   TEXT,
    name                 TEXT NOT NULL,
    phone                TEXT,
    phone_confirmed_at   TEXT,
    language             TEXT NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
    time_zone            TEXT NOT NULL DEFAULT 'Europe/Stockholm',
    password_hash        TEXT,
    totp_secret          TEXT,
    totp_enabled_at      TEXT,
    totp_last_step       INTEGER,
    login_alerts         INTEGER NOT NULL DEFAULT 0,
    default_account_id   TEXT REFERENCES accounts(id),
    session_epoch        INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX accounts_by_approval ON accounts(approval) WHERE approval <> 'approved';

CREATE INDEX audit_events_by_account ON audit_events(account_id, id);

CREATE UNIQUE INDEX blocklist_active ON blocklist(account_id, number) WHERE removed_at IS NULL;

CREATE INDEX blocklist_by_account ON blocklist(account_id, id);

CREATE INDEX blocklist_by_number ON blocklist(account_id, number, id);

CREATE INDEX callback_attempts_by_delivery ON callback_attempts(delivery_id, id);

CREATE INDEX callback_deliveries_by_account ON callback_deliveries(account_id, id);

CREATE INDEX callback_deliveries_by_message ON callback_deliveries(message_id, id);

CREATE INDEX callback_deliveries_due ON callback_deliveries(next_attempt_at) WHERE state = 'pending';

CREATE INDEX campaigns_by_account ON campaigns (account_id, created_at);

CREATE UNIQUE INDEX carrier_costs_unique ON carrier_costs (connection, currency, scope, effective_from);

CREATE INDEX contact_groups_by_account ON contact_groups(account_id, id);

CREATE INDEX contacts_by_account ON contacts(account_id, id);

CREATE INDEX credit_entries_by_account ON credit_entries(account_id, id);

CREATE INDEX credit_entries_by_reference ON credit_entries(reference);

CREATE UNIQUE INDEX credit_one_refund_per_reference ON credit_entries(reference, unit) WHERE kind = 'refund';

CREATE INDEX emails_by_recipient ON emails(recipient, id);

CREATE INDEX group_members_by_contact ON group_members(contact_id);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);

CREATE INDEX inbound_messages_by_account ON inbound_messages(account_id, received_at);

CREATE UNIQUE INDEX inbound_messages_once ON inbound_messages(carrier, carrier_message_id);

CREATE INDEX inbound_parts_by_age ON inbound_parts(received_at);

CREATE INDEX invoice_lines_by_invoice ON invoice_lines(invoice_id, id);

CREATE INDEX invoices_by_account ON invoices(account_id, period);

CREATE INDEX ledger_by_account ON ledger_entries(account_id, id);

CREATE INDEX ledger_by_account_time ON ledger_entries(account_id, created_at);

CREATE UNIQUE INDEX ledger_one_refund_per_reference ON ledger_entries(reference) WHERE kind = 'refund';

CREATE INDEX memberships_by_account ON memberships(account_id);

CREATE INDEX message_events_by_message ON message_events(message_id, id);

CREATE UNIQUE INDEX message_parts_by_carrier_id ON message_parts(carrier, carrier_message_id)
    WHERE carrier_message_id IS NOT NULL;

CREATE INDEX messages_by_account ON messages(account_id, created_at);

CREATE INDEX messages_by_batch ON messages(batch_id);

CREATE UNIQUE INDEX messages_by_carrier_id ON messages(carrier, carrier_message_id)
    WHERE carrier_message_id IS NOT NULL;

CREATE INDEX messages_expiring ON messages(expires_at) WHERE status < 200 AND expires_at IS NOT NULL;

CREATE INDEX messages_queue ON messages(due_at) WHERE due_at IS NOT NULL;

CREATE INDEX numbers_by_account ON numbers(account_id);

CREATE INDEX numbers_by_country_kind ON numbers(country, kind, number);

CREATE UNIQUE INDEX numbers_one_primary_per_account ON numbers(account_id) WHERE role = 'primary';

CREATE INDEX one_time_tokens_by_user ON one_time_tokens(user_id, purpose);

CREATE INDEX package_purchases_by_account ON package_purchases(account_id, created_at);

CREATE INDEX packages_by_currency ON packages(currency, active);

CREATE INDEX payments_by_account ON payments(account_id, seq);

CREATE INDEX payments_by_corrected ON payments(corrects) WHERE corrects IS NOT NULL;

CREATE UNIQUE INDEX payments_one_bank_reference ON payments(reference) WHERE kind = 'payment';

CREATE UNIQUE INDEX payments_one_credit_note_number ON payments(reference) WHERE kind = 'credit_note';

CREATE INDEX phone_code_sends_by_time ON phone_code_sends(created_at);

CREATE INDEX price_rules_by_account ON price_rules (account_id, currency);

CREATE UNIQUE INDEX price_rules_unique ON price_rules (coalesce(account_id, ''), currency, scope, effective_from);

CREATE INDEX receipts_by_carrier_id ON receipts(carrier, carrier_message_id);

CREATE INDEX receipts_by_message ON receipts(message_id, id);

CREATE INDEX receipts_unmatched ON receipts(received_at, id) WHERE outcome = 'unmatched';

CREATE UNIQUE INDEX routes_unique ON routes (coalesce(account_id, ''), scope);

CREATE INDEX send_rules_by_account ON send_rules (account_id, id);

CREATE INDEX smpp_credentials_by_account ON smpp_credentials(account_id, created_at);

CREATE INDEX staff_group_members_by_user ON staff_group_members(user_id, group_id);

CREATE INDEX subscriptions_by_account ON subscriptions(account_id, created_at);

CREATE INDEX subscriptions_due ON subscriptions(next_renewal_at) WHERE status = 'active';

CREATE TRIGGER send_lookups_after_account_change
AFTER UPDATE OF currency, blocked, time_zone, status_callback, stop_by_link, rate_limit_per_second,
                key_rate_limit_per_second, credit_limit_minor, kind ON accounts
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER send_lookups_after_credits_added AFTER UPDATE OF sms_credits ON accounts
WHEN NEW.sms_credits > OLD.sms_credits
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER unapproved_account_is_blocked_on_insert BEFORE INSERT ON accounts
WHEN NEW.approval <> 'approved' AND NEW.blocked = 0
BEGIN
    SELECT RAISE(ABORT, 'an account that is not approved is blocked');
END;

CREATE TRIGGER unapproved_account_stays_blocked BEFORE UPDATE OF blocked, approval ON accounts
WHEN NEW.approval <> 'approved' AND NEW.blocked = 0
BEGIN
    SELECT RAISE(ABORT, 'an account that is not approved is blocked');
END;

CREATE TRIGGER send_lookups_after_key_added AFTER INSERT ON api_keys
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.account_id;
END;

CREATE TRIGGER send_lookups_after_key_change AFTER UPDATE ON api_keys
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id IN (OLD.account_id, NEW.account_id);
END;

CREATE TRIGGER send_lookups_after_key_removed AFTER DELETE ON api_keys
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER audit_events_are_immutable BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;

CREATE TRIGGER audit_events_are_never_deleted BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;

CREATE TRIGGER blocklist_entries_are_never_deleted BEFORE DELETE ON blocklist
BEGIN
    SELECT RAISE(ABORT, 'blocklist entries are kept; unblock by setting removed_at');
END;

CREATE TRIGGER blocklist_entries_change_only_by_removal BEFORE UPDATE ON blocklist
BEGIN
    SELECT RAISE(ABORT, 'a blocklist entry changes only by its removal, once')
    WHERE OLD.removed_at IS NOT NULL
       OR NEW.id IS NOT OLD.id OR NEW.account_id IS NOT OLD.account_id OR NEW.number IS NOT OLD.number
       OR NEW.reason IS NOT OLD.reason OR NEW.source IS NOT OLD.source OR NEW.created_at IS NOT OLD.created_at;
END;

CREATE TRIGGER send_lookups_after_campaign_added AFTER INSERT ON campaigns
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.account_id;
END;

CREATE TRIGGER send_lookups_after_campaign_change AFTER UPDATE ON campaigns
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id IN (OLD.account_id, NEW.account_id);
END;

CREATE TRIGGER send_lookups_after_campaign_removed AFTER DELETE ON campaigns
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER send_lookups_after_connection_enabled_change AFTER UPDATE OF enabled ON carrier_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER send_lookups_after_connection_removed AFTER DELETE ON carrier_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER send_lookups_after_cost_added AFTER INSERT ON carrier_costs
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER send_lookups_after_cost_change AFTER UPDATE ON carrier_costs
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER send_lookups_after_cost_removed AFTER DELETE ON carrier_costs
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER group_deleted_drops_members AFTER DELETE ON contact_groups
BEGIN
    DELETE FROM group_members WHERE group_id = OLD.id;
END;

CREATE TRIGGER contact_deleted_leaves_groups AFTER DELETE ON contacts
BEGIN
    DELETE FROM group_members WHERE contact_id = OLD.id;
END;

CREATE TRIGGER credit_entries_are_immutable BEFORE UPDATE ON credit_entries
BEGIN
    SELECT RAISE(ABORT, 'credit entries are immutable; add a correction instead');
END;

CREATE TRIGGER credit_entries_are_never_deleted BEFORE DELETE ON credit_entries
BEGIN
    SELECT RAISE(ABORT, 'credit entries are immutable; add a correction instead');
END;

CREATE TRIGGER credit_entry_is_covered BEFORE INSERT ON credit_entries
BEGIN
    SELECT RAISE(ABORT, 'InsufficientCredits') FROM accounts WHERE id = NEW.account_id
        AND (CASE NEW.unit WHEN 'sms' THEN sms_credits ELSE voice_credits END) + NEW.amount < 0;
    SELECT RAISE(ABORT, 'a credit entry''s balance_after is the balance before it plus its amount') FROM accounts
        WHERE id = NEW.account_id AND (CASE NEW.unit WHEN 'sms' THEN sms_credits ELSE voice_credits END) + NEW.amount <> NEW.balance_after;
END;

CREATE TRIGGER credit_entry_moves_credits AFTER INSERT ON credit_entries
BEGIN
    UPDATE accounts SET sms_credits = sms_credits + NEW.amount WHERE id = NEW.account_id AND NEW.unit = 'sms';
    UPDATE accounts SET voice_credits = voice_credits + NEW.amount WHERE id = NEW.account_id AND NEW.unit = 'voice';
END;

CREATE TRIGGER group_member_same_account BEFORE INSERT ON group_members
BEGIN
    SELECT RAISE(ABORT, 'a group member must be a contact of the same account')
    WHERE (SELECT account_id FROM contacts WHERE id = NEW.contact_id)
          IS NOT (SELECT account_id FROM contact_groups WHERE id = NEW.group_id)
       OR NOT EXISTS (SELECT 1 FROM contacts WHERE id = NEW.contact_id);
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

CREATE TRIGGER debit_within_credit_limit BEFORE INSERT ON ledger_entries
WHEN NEW.kind IN ('debit', 'package_purchase', 'subscription_renewal') AND NEW.amount_minor < 0
BEGIN
    SELECT RAISE(ABORT, 'a debit may not take the balance past the credit limit')
    FROM accounts WHERE id = NEW.account_id AND balance_minor + NEW.amount_minor < -credit_limit_minor;
END;

CREATE TRIGGER ledger_entries_are_immutable BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are immutable; add a correction instead');
END;

CREATE TRIGGER ledger_entries_are_never_deleted BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are immutable; add a correction instead');
END;

CREATE TRIGGER ledger_entry_moves_balance AFTER INSERT ON ledger_entries
BEGIN
    UPDATE accounts SET balance_minor = balance_minor + NEW.amount_minor WHERE id = NEW.account_id;
END;

CREATE TRIGGER message_event_calls_back AFTER INSERT ON message_events
BEGIN
    INSERT INTO callback_deliveries (event_id, account_id, message_id, message_event_id, url, next_attempt_at, format)
    SELECT 'evt_' || NEW.id, m.account_id, m.id, NEW.id, m.status_callback, NEW.at, m.callback_format
    FROM messages m WHERE m.id = NEW.message_id AND m.status_callback IS NOT NULL;
END;

CREATE TRIGGER message_created AFTER INSERT ON messages
BEGIN
    INSERT INTO credit_entries (account_id, unit, amount, balance_after, kind, reference, reason)
    SELECT id, 'sms', -NEW.credits, sms_credits - NEW.credits, 'spend', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id AND NEW.credits > 0;
    INSERT INTO ledger_entries (account_id, amount_minor, balance_after_minor, kind, reference, description)
    SELECT id, -NEW.price_minor, balance_minor - NEW.price_minor, 'debit', NEW.id,
           'SMS to ' || NEW.recipient || ', ' || NEW.segments || ' segment(s)'
    FROM accounts WHERE id = NEW.account_id AND NEW.credits = 0;
    INSERT INTO message_events (message_id, status, at, source, detail) VALUES
        (NEW.id, 101, NEW.status_at, 'api', NULL),
        (NEW.id, 103, NEW.status_at, 'billing', NULL);
    INSERT INTO message_events (message_id, status, at, source, detail)
    SELECT NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail WHERE NEW.status <> 103;
END;

CREATE TRIGGER message_from_current_lookups BEFORE INSERT ON messages
WHEN NEW.lookups_version IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'stale send lookups')
    WHERE NEW.lookups_version <> (SELECT lookups_version FROM accounts WHERE id = NEW.account_id)
       OR EXISTS (SELECT 1 FROM blocklist b WHERE b.account_id = NEW.account_id AND b.number = NEW.recipient AND b.removed_at IS NULL);
END;

CREATE TRIGGER message_leaves_queue AFTER UPDATE OF status, carrier_message_id ON messages
WHEN NEW.due_at IS NOT NULL AND (NEW.carrier_message_id IS NOT NULL OR NEW.status >= 200)
BEGIN
    UPDATE messages SET due_at = NULL WHERE id = NEW.id;
END;

CREATE TRIGGER message_paid_one_way BEFORE INSERT ON messages
WHEN NEW.credits < 0 OR (NEW.credits > 0 AND (NEW.credits <> NEW.segments OR NEW.price_minor <> 0))
BEGIN
    SELECT RAISE(ABORT, 'a message is paid by one credit per segment and no money, or by money alone');
END;

CREATE TRIGGER message_status_changed AFTER UPDATE OF status ON messages
WHEN NEW.status <> OLD.status
BEGIN
    INSERT INTO message_events (message_id, status, at, source, detail)
    VALUES (NEW.id, NEW.status, NEW.status_at, NEW.status_source, NEW.status_detail);
END;

CREATE TRIGGER send_lookups_after_price_added AFTER INSERT ON price_rules
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE NEW.account_id IS NULL OR id = NEW.account_id;
END;

CREATE TRIGGER send_lookups_after_price_change AFTER UPDATE ON price_rules
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1
    WHERE OLD.account_id IS NULL OR NEW.account_id IS NULL OR id IN (OLD.account_id, NEW.account_id);
END;

CREATE TRIGGER send_lookups_after_price_removed AFTER DELETE ON price_rules
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE OLD.account_id IS NULL OR id = OLD.account_id;
END;

CREATE TRIGGER send_lookups_after_registered_sender_added AFTER INSERT ON registered_senders
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.account_id;
END;

CREATE TRIGGER send_lookups_after_registered_sender_change AFTER UPDATE ON registered_senders
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id IN (OLD.account_id, NEW.account_id);
END;

CREATE TRIGGER send_lookups_after_registered_sender_removed AFTER DELETE ON registered_senders
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = OLD.account_id;
END;

CREATE TRIGGER send_lookups_after_route_connection_added AFTER INSERT ON route_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1
    WHERE (SELECT account_id FROM routes WHERE id = NEW.route_id) IS NULL OR id = (SELECT account_id FROM routes WHERE id = NEW.route_id);
END;

CREATE TRIGGER send_lookups_after_route_connection_change AFTER UPDATE ON route_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1
    WHERE (SELECT account_id FROM routes WHERE id = NEW.route_id) IS NULL OR id = (SELECT account_id FROM routes WHERE id = NEW.route_id)
       OR (SELECT account_id FROM routes WHERE id = OLD.route_id) IS NULL OR id = (SELECT account_id FROM routes WHERE id = OLD.route_id);
END;

CREATE TRIGGER send_lookups_after_route_connection_removed AFTER DELETE ON route_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1
    WHERE (SELECT account_id FROM routes WHERE id = OLD.route_id) IS NULL OR id = (SELECT account_id FROM routes WHERE id = OLD.route_id);
END;

CREATE TRIGGER send_lookups_after_route_added AFTER INSERT ON routes
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE NEW.account_id IS NULL OR id = NEW.account_id;
END;

CREATE TRIGGER send_lookups_after_route_change AFTER UPDATE ON routes
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1
    WHERE OLD.account_id IS NULL OR NEW.account_id IS NULL OR id IN (OLD.account_id, NEW.account_id);
END;

CREATE TRIGGER send_lookups_after_route_removed AFTER DELETE ON routes
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE OLD.account_id IS NULL OR id = OLD.account_id;
END;

CREATE TRIGGER send_lookups_after_send_rule_added AFTER INSERT ON send_rules
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE NEW.account_id IS NULL OR id = NEW.account_id;
END;

CREATE TRIGGER send_lookups_after_send_rule_change AFTER UPDATE ON send_rules
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1
    WHERE OLD.account_id IS NULL OR NEW.account_id IS NULL OR id IN (OLD.account_id, NEW.account_id);
END;

CREATE TRIGGER send_lookups_after_send_rule_removed AFTER DELETE ON send_rules
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE OLD.account_id IS NULL OR id = OLD.account_id;
END;

CREATE TRIGGER send_lookups_after_registration_country_added AFTER INSERT ON sender_registration_countries
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER send_lookups_after_registration_country_change AFTER UPDATE ON sender_registration_countries
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER send_lookups_after_registration_country_removed AFTER DELETE ON sender_registration_countries
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

CREATE TRIGGER staff_events_are_immutable BEFORE UPDATE ON staff_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;

CREATE TRIGGER staff_events_are_never_deleted BEFORE DELETE ON staff_events
BEGIN
    SELECT RAISE(ABORT, 'the history is immutable');
END;

CREATE TRIGGER subscription_renewals_are_immutable BEFORE UPDATE ON subscription_renewals
BEGIN
    SELECT RAISE(ABORT, 'renewals are immutable');
END;

CREATE TRIGGER subscription_renewals_are_never_deleted BEFORE DELETE ON subscription_renewals
BEGIN
    SELECT RAISE(ABORT, 'renewals are immutable');
END;


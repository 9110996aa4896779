-- 0020: carrier connections and routing (docs/carriers.md "Connections", "Routing").
-- Connections the operator manages at run time, beside the default connection of the
-- Spin variables (which has no row: messages routed nowhere else go to it, as before).
CREATE TABLE carrier_connections (
    -- Also the receipt path /v1/carriers/{name}/receipts and messages.carrier.
    name                  TEXT PRIMARY KEY,
    adapter               TEXT NOT NULL CHECK (adapter IN ('sandbox', 'http', 'vonage', 'sinch')),
    base_url              TEXT NOT NULL,
    -- Sealed with secrets_key (domain::carriers::sealed), never stored plain; the hint is
    -- what answers show (the last four characters of a long secret).
    credentials_sealed    TEXT,
    credentials_hint      TEXT,
    webhook_secret_sealed TEXT,
    webhook_secret_hint   TEXT,
    -- Messages per second for all instances together; NULL: no limit.
    throughput_per_second INTEGER CHECK (throughput_per_second IS NULL OR throughput_per_second > 0),
    enabled               INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- What a connection costs us per segment, by destination scope and period, as price
-- rules are written (0011): for least-cost routing and the margin report.
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
CREATE UNIQUE INDEX carrier_costs_unique ON carrier_costs (connection, currency, scope, effective_from);

-- The default routing table (account_id NULL) and accounts' own pools: one route per
-- scope in each, its connections in order.
CREATE TABLE routes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT REFERENCES accounts(id),
    scope      TEXT NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('failover', 'weighted', 'least_cost')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX routes_unique ON routes (coalesce(account_id, ''), scope);

CREATE TABLE route_connections (
    route_id   INTEGER NOT NULL REFERENCES routes(id),
    position   INTEGER NOT NULL,
    connection TEXT NOT NULL REFERENCES carrier_connections(name),
    weight     INTEGER NOT NULL DEFAULT 0 CHECK (weight >= 0),
    PRIMARY KEY (route_id, position)
);

-- A message routed through managed connections keeps its plan (their names in order, a
-- JSON array): a failed submit moves it to the next. NULL: the default connection.
ALTER TABLE messages ADD COLUMN route_plan TEXT;
-- What the connection that took it costs for it, in thousandths of a minor unit of the
-- message's currency (NULL: no cost price known), for the margin report.
ALTER TABLE messages ADD COLUMN cost_milli INTEGER;

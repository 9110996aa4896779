-- 0023: a connection's adapter may be an adapter component installed in spin.toml
-- (docs/carriers.md "Writing a carrier adapter"), not only a built-in one. The platform
-- checks the name against what is installed when a connection is saved; the table keeps
-- only its shape (an adapter component's name rule). SQLite cannot change a CHECK in
-- place, so the table is rebuilt as 0010 rebuilt the ledger: rows copied as they are,
-- legacy_alter_table so the references of carrier_costs and route_connections find the
-- new table under the old name, and the triggers on it made again.
PRAGMA legacy_alter_table = ON;
CREATE TABLE carrier_connections_new (
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
INSERT INTO carrier_connections_new (name, adapter, base_url, credentials_sealed, credentials_hint, webhook_secret_sealed,
                                     webhook_secret_hint, throughput_per_second, enabled, created_at, updated_at)
    SELECT name, adapter, base_url, credentials_sealed, credentials_hint, webhook_secret_sealed,
           webhook_secret_hint, throughput_per_second, enabled, created_at, updated_at FROM carrier_connections;
DROP TABLE carrier_connections;
ALTER TABLE carrier_connections_new RENAME TO carrier_connections;
PRAGMA legacy_alter_table = OFF;
CREATE TRIGGER send_lookups_after_connection_enabled_change AFTER UPDATE OF enabled ON carrier_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;
CREATE TRIGGER send_lookups_after_connection_removed AFTER DELETE ON carrier_connections
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1;
END;

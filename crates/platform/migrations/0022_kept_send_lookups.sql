-- An instance keeps a send's lookups between requests (the API key's caller, the account's
-- means, its price rules, send rules and routes: store::send_lookups), so that a small send costs one statement,
-- its INSERT. A message written from kept lookups carries the version of the account's
-- lookups it was decided on; the guard below refuses it when anything it was decided on has
-- changed since (the send is then made again from lookups read afresh), and when its
-- recipient is on the account's blocklist (kept lookups do not list blocked recipients).
-- A column a send reads must be in the list of `send_lookups_after_account_change`.
ALTER TABLE accounts ADD COLUMN lookups_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN lookups_version INTEGER;

CREATE TRIGGER message_from_current_lookups BEFORE INSERT ON messages
WHEN NEW.lookups_version IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'stale send lookups')
    WHERE NEW.lookups_version <> (SELECT lookups_version FROM accounts WHERE id = NEW.account_id)
       OR EXISTS (SELECT 1 FROM blocklist b WHERE b.account_id = NEW.account_id AND b.number = NEW.recipient AND b.removed_at IS NULL);
END;

CREATE TRIGGER send_lookups_after_account_change
AFTER UPDATE OF currency, blocked, time_zone, status_callback, stop_by_link, rate_limit_per_second,
                key_rate_limit_per_second, credit_limit_minor, kind ON accounts
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.id;
END;

-- Credits bought (a package) change how a send is paid; spends and debits do not need a new
-- version (a send paid from means that are no longer there is refused by the funds guards).
CREATE TRIGGER send_lookups_after_credits_added AFTER UPDATE OF sms_credits ON accounts
WHEN NEW.sms_credits > OLD.sms_credits
BEGIN
    UPDATE accounts SET lookups_version = lookups_version + 1 WHERE id = NEW.id;
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

-- A default price rule (no account) prices every account's sends.
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

-- Send rules (0021): a default rule (no account) and the registration countries apply to
-- every account.
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

-- Routing (0020): a default route, a connection's enabled flag and cost prices apply to
-- every account; an account's routes to it.
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

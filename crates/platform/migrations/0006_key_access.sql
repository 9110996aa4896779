-- 0006: what an API key may do and from where (domain::access).
--
-- scopes: the key's scope strings, space-separated, in domain::access::Scope::ALL order.
-- A key is allowed only what is written here: the column's default is no scope at all,
-- so a row written without scopes can do nothing. Keys made before this migration could
-- do everything, so they get every scope there was.
-- allowed_ips: CIDR blocks, space-separated; empty is any address (every key so far).
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '';
UPDATE api_keys SET scopes = 'messages:send messages:read contacts inbound account';

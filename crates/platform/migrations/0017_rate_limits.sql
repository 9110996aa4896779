-- Request rate limits an operator sets per client (domain::ratelimit): requests per second
-- for the whole account and for each of its API keys. NULL: the platform's default.
ALTER TABLE accounts ADD COLUMN rate_limit_per_second INTEGER
    CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second BETWEEN 1 AND 100000);
ALTER TABLE accounts ADD COLUMN key_rate_limit_per_second INTEGER
    CHECK (key_rate_limit_per_second IS NULL OR key_rate_limit_per_second BETWEEN 1 AND 100000);

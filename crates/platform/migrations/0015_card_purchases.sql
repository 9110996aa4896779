-- 0015: a package bought by card (seed 003: "buy from balance or by payment"). The card
-- payment is a Stripe top-up like any other — credited once by Stripe's signed webhook —
-- that names the package it pays for; once credited, the package is bought from the
-- balance it just filled, so the ledger shows both (topup +cost, package_purchase −cost).
ALTER TABLE payments ADD COLUMN package_id TEXT REFERENCES packages(id);

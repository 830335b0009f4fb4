-- Two accounts of one vendor (two tenants, two partner accounts) share a database: a
-- customer is keyed by its account, the profile's name (the vendor's name by default).
-- SQLite cannot change a primary key in place: the table is rebuilt, every row kept, each
-- existing row's account its vendor's name.
CREATE TABLE customers_by_account (
    account         TEXT NOT NULL,
    vendor          TEXT NOT NULL,
    id              TEXT NOT NULL,
    external_id     TEXT,
    name            TEXT,
    first_name      TEXT,
    last_name       TEXT,
    email           TEXT,
    phone           TEXT,
    status          TEXT,
    created_at      TEXT,
    updated_at      TEXT,
    last_seen_at    TEXT,
    email_opt_out   BOOLEAN,
    sms_opt_out     BOOLEAN,
    -- A JSON array of text.
    tags            TEXT NOT NULL,
    language        TEXT,
    avatar_url      TEXT,
    -- The vendor's record exactly as it was received.
    raw             TEXT NOT NULL,
    first_synced_at TEXT NOT NULL,
    last_synced_at  TEXT NOT NULL,
    -- Set when a complete sweep of the account no longer lists the customer.
    deleted_at      TEXT,
    PRIMARY KEY (account, id)
);

INSERT INTO customers_by_account (account, vendor, id, external_id, name, first_name,
    last_name, email, phone, status, created_at, updated_at, last_seen_at, email_opt_out,
    sms_opt_out, tags, language, avatar_url, raw, first_synced_at, last_synced_at, deleted_at)
SELECT vendor, vendor, id, external_id, name, first_name, last_name, email, phone, status,
    created_at, updated_at, last_seen_at, email_opt_out, sms_opt_out, tags, language,
    avatar_url, raw, first_synced_at, last_synced_at, deleted_at
FROM customers;

DROP TABLE customers;
ALTER TABLE customers_by_account RENAME TO customers;
CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);

-- The checkpoint is per account; `vendor` says whose.
ALTER TABLE sync_state RENAME COLUMN vendor TO account;
ALTER TABLE sync_state ADD COLUMN vendor TEXT;
UPDATE sync_state SET vendor = account;

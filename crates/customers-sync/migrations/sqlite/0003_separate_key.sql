-- The key as a unique index of its own, `customers_pkey` (PostgreSQL's name), rather than
-- the table's declared primary key: a first load into an empty table then drops it with the
-- email and phone indexes and builds it once at the end, as on PostgreSQL. Kept row by row,
-- its random inserts were a tenth of a first load's time. Uniqueness and the upsert's
-- `ON CONFLICT (account, id)` are the same with either. It is (id, account), as PostgreSQL's
-- (its `0004_key_by_id`): led by the id, its comparisons seldom read the account. SQLite
-- cannot drop a declared primary key: the table is rebuilt, every row kept.
CREATE TABLE customers_keyed (
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
    deleted_at      TEXT
);

INSERT INTO customers_keyed (account, vendor, id, external_id, name, first_name, last_name,
    email, phone, status, created_at, updated_at, last_seen_at, email_opt_out, sms_opt_out,
    tags, language, avatar_url, raw, first_synced_at, last_synced_at, deleted_at)
SELECT account, vendor, id, external_id, name, first_name, last_name, email, phone, status,
    created_at, updated_at, last_seen_at, email_opt_out, sms_opt_out, tags, language,
    avatar_url, raw, first_synced_at, last_synced_at, deleted_at
FROM customers;

DROP TABLE customers;
ALTER TABLE customers_keyed RENAME TO customers;
CREATE UNIQUE INDEX customers_pkey ON customers (id, account);
CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);

-- Customers of every vendor, one row per (vendor, id); rows are never deleted.
CREATE TABLE customers (
    vendor          TEXT NOT NULL,
    id              TEXT NOT NULL,
    external_id     TEXT,
    name            TEXT,
    first_name      TEXT,
    last_name       TEXT,
    email           TEXT,
    phone           TEXT,
    status          TEXT,
    created_at      TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ,
    last_seen_at    TIMESTAMPTZ,
    email_opt_out   BOOLEAN,
    sms_opt_out     BOOLEAN,
    tags            JSONB NOT NULL,
    language        TEXT,
    avatar_url      TEXT,
    -- The vendor's record exactly as it was received (json keeps the text; jsonb would not).
    raw             JSON NOT NULL,
    first_synced_at TIMESTAMPTZ NOT NULL,
    last_synced_at  TIMESTAMPTZ NOT NULL,
    -- Set when a complete sweep of the vendor no longer lists the customer.
    deleted_at      TIMESTAMPTZ,
    PRIMARY KEY (vendor, id)
);

CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);

-- One row per vendor: the sync in progress (its checkpoint) and the last one completed.
-- Its times are the same UTC text as SQLite's: bookkeeping, read back by the tool only.
CREATE TABLE sync_state (
    vendor             TEXT PRIMARY KEY,
    run_started_at     TEXT,
    run_full           BOOLEAN,
    run_since          TEXT,
    run_cursor         TEXT,
    run_pages          BIGINT,
    run_high_water     TEXT,
    last_completed_at  TEXT,
    last_high_water    TEXT,
    last_full_sweep_at TEXT
);

-- Customers of every vendor, one row per (vendor, id); rows are never deleted.
-- Times are UTC text, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, so text order is time order.
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
    -- Set when a complete sweep of the vendor no longer lists the customer.
    deleted_at      TEXT,
    PRIMARY KEY (vendor, id)
);

CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);

-- One row per vendor: the sync in progress (its checkpoint) and the last one completed.
CREATE TABLE sync_state (
    vendor             TEXT PRIMARY KEY,
    run_started_at     TEXT,
    run_full           BOOLEAN,
    run_since          TEXT,
    -- The next page's cursor as JSON; NULL once the last page is in.
    run_cursor         TEXT,
    run_pages          BIGINT,
    run_high_water     TEXT,
    last_completed_at  TEXT,
    last_high_water    TEXT,
    last_full_sweep_at TEXT
);

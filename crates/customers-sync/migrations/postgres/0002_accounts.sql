-- Two accounts of one vendor (two tenants, two partner accounts) share a database: a
-- customer is keyed by its account, the profile's name (the vendor's name by default).
-- Every existing row's account is its vendor's name.
ALTER TABLE customers ADD COLUMN account TEXT;
UPDATE customers SET account = vendor;
ALTER TABLE customers ALTER COLUMN account SET NOT NULL;
ALTER TABLE customers DROP CONSTRAINT customers_pkey;
ALTER TABLE customers ADD PRIMARY KEY (account, id);

-- The checkpoint is per account; `vendor` says whose.
ALTER TABLE sync_state RENAME COLUMN vendor TO account;
ALTER TABLE sync_state ADD COLUMN vendor TEXT;
UPDATE sync_state SET vendor = account;

-- Who holds each account's sync (the lock itself is a session advisory lock, released when
-- its session ends): what a second sync of the account names when it refuses.
CREATE TABLE sync_lock (
    account    TEXT PRIMARY KEY,
    pid        BIGINT NOT NULL,
    host       TEXT NOT NULL,
    started_at TEXT NOT NULL
);

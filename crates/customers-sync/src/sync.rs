//! One vendor's sync: a full sweep or the customers changed since the last one, page by
//! page, each page's checkpoint committed with it (SQLite) or right after it (PostgreSQL),
//! resumable after any interruption.

use std::time::Duration;

use chrono::{DateTime, Utc};
use customers::query::{Filter, Support, support};
use customers::{CustomersClient, PageCursor, Query, Vendor};

use crate::download::HeadStart;
use crate::state::{self, Run};
use crate::store::{Backend, Store};
use crate::{SyncError, time_text};

/// How to sync.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Sweep every customer even where the vendor could list only the changed ones (only a
    /// full sweep marks deletions). An interrupted incremental sync is then dropped.
    pub full: bool,
    /// The account synced: its customers, checkpoint and deletions are its own, so two
    /// accounts of one vendor share a database. `None` is the vendor's name.
    pub account: Option<String>,
    /// How long a PostgreSQL server may stay away mid-sync (restarted, failed over, the
    /// sync's sessions terminated) while the sync reconnects, with backoff, and goes on from
    /// its last committed page; zero stops at once. One minute by default; the time counts
    /// from the first failure since the last page committed.
    pub reconnect_for: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            full: false,
            account: None,
            reconnect_for: Duration::from_secs(60),
        }
    }
}

impl SyncOptions {
    /// Incremental where the vendor allows it.
    pub fn new() -> Self {
        SyncOptions::default()
    }

    /// [`SyncOptions::reconnect_for`].
    pub fn reconnect_for(mut self, time: Duration) -> Self {
        self.reconnect_for = time;
        self
    }

    /// A full sweep (or not).
    pub fn full(mut self, full: bool) -> Self {
        self.full = full;
        self
    }

    /// Syncs as the account `name` (a profile's name) rather than as the vendor's name.
    pub fn account(mut self, name: impl Into<String>) -> Self {
        self.account = Some(name.into());
        self
    }
}

/// What a sync asked the vendor for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Every customer; those not seen are marked deleted at the end.
    Full,
    /// Customers changed since this time (the last sync's high-water mark less the vendor's
    /// granularity).
    Incremental {
        /// The change time asked from.
        since: DateTime<Utc>,
    },
}

/// What one completed sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// The account synced.
    pub account: String,
    /// Its vendor.
    pub vendor: Vendor,
    /// Full sweep or incremental.
    pub mode: SyncMode,
    /// Where an interrupted sync was resumed from, if it was.
    pub resumed_from: Option<PageCursor>,
    /// Pages written by this invocation.
    pub pages: u64,
    /// Customers written by this invocation.
    pub customers: u64,
    /// Customers first seen by this sync (a resumed one included).
    pub new: u64,
    /// Customers marked deleted because the full sweep did not list them.
    pub marked_deleted: u64,
    /// Why the database went away each time the sync reconnected to it (see
    /// [`SyncOptions::reconnect_for`]), oldest first.
    pub reconnected_after: Vec<String>,
}

/// A page written and committed, with its checkpoint.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PageWritten {
    /// Customers on the page.
    pub customers: usize,
    /// Pages committed so far by this sync (a resumed one included).
    pub pages: u64,
    /// Where the next page starts; `None` after the last.
    pub next: Option<PageCursor>,
}

/// Syncs `client`'s vendor into `store`: resumes an interrupted sync from its checkpoint,
/// else starts one (incremental where the vendor filters by change time on its server and a
/// previous sync completed, else full). On error the checkpoint of the last committed page
/// stays for the next call.
pub async fn sync(
    store: &Store,
    client: &CustomersClient,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    sync_observed(store, client, options, |_| {}).await
}

/// [`sync`], calling `on_page` after each page is committed (for progress or logs). A second
/// sync of the same account meanwhile (in this process or another) fails at once with
/// [`SyncError::Busy`], naming this one.
pub async fn sync_observed(
    store: &Store,
    client: &CustomersClient,
    options: &SyncOptions,
    on_page: impl FnMut(&PageWritten),
) -> Result<SyncReport, SyncError> {
    sync_with(store, client, options, None, on_page).await
}

/// [`sync_observed`], taking its first pages from `head_start` when the sync begins a full
/// sweep from the first page with `client` (else it is dropped).
pub async fn sync_with(
    store: &Store,
    client: &CustomersClient,
    options: &SyncOptions,
    mut head_start: Option<HeadStart>,
    mut on_page: impl FnMut(&PageWritten),
) -> Result<SyncReport, SyncError> {
    let vendor = client.vendor();
    let account = options
        .account
        .clone()
        .unwrap_or_else(|| vendor.as_str().to_owned());
    let account = account.as_str();
    // Pages and customers written by the attempts the database ended, and why they ended.
    let mut earlier = (0, 0);
    let mut causes = Vec::new();
    let mut reconnect = crate::reconnect::Reconnect::new(options.reconnect_for);
    loop {
        // Pages and customers this attempt committed.
        let mut this = (0, 0);
        let mut counted = |page: &PageWritten| {
            this.0 += 1;
            this.1 += page.customers as u64;
            on_page(page);
        };
        let head_start = head_start.take();
        let attempt = async {
            let mut lock = crate::lock::acquire(store, account).await?;
            let result = sync_locked(
                store,
                client,
                options,
                account,
                &mut lock,
                head_start,
                &mut counted,
            )
            .await;
            lock.release(account).await;
            result
        };
        let failure = match attempt.await {
            Ok(mut report) => {
                report.pages += earlier.0;
                report.customers += earlier.1;
                report.reconnected_after = causes;
                return Ok(report);
            }
            Err(failure) => failure,
        };
        // Once reconnecting, the lock may still be held by this process's old session until
        // the server finds it gone (a connection cut without a word, as in a failover).
        let reconnecting = !causes.is_empty();
        let lost = failure.is_connection_lost() || reconnecting && failure.held_by_this_process();
        if store.backend() != Backend::Postgres || !lost {
            return Err(failure);
        }
        earlier.0 += this.0;
        earlier.1 += this.1;
        if this.0 > 0 {
            reconnect.progressed();
        }
        causes.push(reconnect.wait(store, account, failure).await?);
    }
}

/// [`sync_observed`] of `account`, its lock held.
async fn sync_locked(
    store: &Store,
    client: &CustomersClient,
    options: &SyncOptions,
    account: &str,
    lock: &mut crate::lock::SyncLock,
    head_start: Option<HeadStart>,
    on_page: &mut impl FnMut(&PageWritten),
) -> Result<SyncReport, SyncError> {
    let vendor = client.vendor();
    let saved = match (store.postgres(), lock.session()) {
        (Some(pool), Some(session)) => {
            // A key a first load left out (killed, or begun beside this sync) is built
            // before anything is written (`primary_key.rs`).
            crate::primary_key::ensure(session, pool).await?;
            state::load_on(session, account).await?
        }
        _ => {
            let mut tx = store.begin_write().await?;
            crate::primary_key::ensure_sqlite(&mut tx).await?;
            tx.commit().await?;
            state::load(store, account).await?
        }
    };
    if let Some(other) = saved.vendor.filter(|v| v != vendor.as_str()) {
        return Err(SyncError::AccountVendor {
            account: account.to_owned(),
            synced: other,
            asked: vendor,
        });
    }
    let (mut run, resumed_from) = match saved.run {
        // `--full` drops an interrupted incremental run; anything else resumes.
        Some(run) if !options.full || run.full => {
            let from = run.cursor;
            tracing::info!(account, %vendor, ?from, "resuming the interrupted sync");
            (run, Some(from.unwrap_or(PageCursor::START)))
        }
        _ => (new_run(vendor, saved.last_high_water, options.full), None),
    };
    let query = Query {
        updated_since: run.since.filter(|_| !run.full),
        ..Query::default()
    };
    // A resumed sync starts one page before its checkpoint: the vendor's data may have
    // shifted back across the cut since (customers ahead deleted), and a full sweep that
    // missed a customer would mark it deleted.
    let start = match resumed_from {
        Some(_) => run.cursor.map(|cursor| client.page_before(cursor)),
        None => run.cursor,
    };
    // The listing, one page of read-ahead (`download.rs`): the next page downloads and
    // decodes while this one is written. A head start serves a new full sweep; the run then
    // began when its first request did, so that no change before the run's start time (the
    // next incremental sync's mark, where the records carry none) goes unseen.
    let head_start = start.and_then(|from| head_start?.serving(client, &query, from));
    if let Some(head) = &head_start {
        tracing::debug!(
            account,
            "the first pages were requested while the database opened"
        );
        run.started_at = run.started_at.min(head.began_at());
    }
    let pages = start.map(|from| {
        head_start.unwrap_or_else(|| crate::download::Download::begin(client, query.clone(), from))
    });
    // A new run's bookkeeping, done while its first page downloads (the writer waits for it
    // before the first page): whether the account held no row when this run began, as far
    // as this invocation knows (a resumed run may have written some before). Then no row
    // can be older than the run, and a full sweep has nothing to mark deleted.
    let begun = run.clone();
    let prepare = async {
        if resumed_from.is_some() {
            return Ok(false);
        }
        if crate::indexes::defer_for_first_load(store, account).await? {
            tracing::info!(account, "a first load: email and phone indexed at the end");
            // The pages' connections, and those of the index builds at the end.
            store.warm_postgres(crate::indexes::AT_ONCE).await?;
        }
        let empty = !holds_rows(store, account).await?;
        state::begin(store, account, vendor, &begun).await?;
        Ok::<bool, SyncError>(empty)
    };
    let mut began_empty = false;
    let mode = match run.since {
        Some(since) if !run.full => SyncMode::Incremental { since },
        _ => SyncMode::Full,
    };
    let mut report = SyncReport {
        account: account.to_owned(),
        vendor,
        mode,
        resumed_from,
        pages: 0,
        customers: 0,
        new: 0,
        marked_deleted: 0,
        reconnected_after: Vec::new(),
    };
    // Rows this run inserted, while every page could tell (a resumed run's earlier pages
    // cannot): else they are counted at the end.
    let mut new = resumed_from.is_none().then_some(0);
    if let Some(mut pages) = pages {
        // A SQLite file's page is written on a blocking thread this task waits for;
        // PostgreSQL's pages on tasks of their own, two at once.
        let file = store.file_writer()?;
        // PostgreSQL's pages in flight, oldest first, with what to report when each commits.
        let mut in_flight: std::collections::VecDeque<(crate::copy::InFlight, PageWritten)> =
            std::collections::VecDeque::new();
        let mut committed = |written: PageWritten, page_new: Option<u64>| {
            new = new
                .zip(page_new)
                .map(|(run_new, page_new)| run_new + page_new);
            report.pages += 1;
            report.customers += written.customers as u64;
            on_page(&written);
        };
        let write = async {
            began_empty = prepare.await?;
            let mut pipeline = store
                .postgres()
                .map(|pool| crate::copy::Pipeline::new(pool, account, began_empty));
            let mut failed = None;
            loop {
                // A page is taken from the read-ahead only when it can start: while two are
                // in flight, the next waits in its slot and the download for the slot, so a
                // sync holds at most four pages, not five (its peak memory moved by 12 MiB
                // from run to run, with how many were whole at once).
                if in_flight.len() == crate::copy::IN_FLIGHT
                    && let Some((oldest, written)) = in_flight.pop_front()
                {
                    committed(written, oldest.committed().await?);
                }
                let Some(page) = pages.next().await else {
                    break;
                };
                let page = match page {
                    Ok(page) => page,
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                };
                lock.check().await?;
                let synced_at = advance(&mut run, &page);
                let written = PageWritten {
                    customers: page.customers.len(),
                    pages: run.pages,
                    next: run.cursor,
                };
                let Some(pipeline) = pipeline.as_mut() else {
                    let page_new =
                        write_page(store, file.as_ref(), account, &run, page, synced_at).await?;
                    committed(written, page_new);
                    continue;
                };
                let started = pipeline.start(page.customers, synced_at, run.clone());
                in_flight.push_back((started.await?, written));
            }
            // The pages in flight commit before the sync ends, when the listing failed too:
            // the next sync goes on after them. (A page that failed drops those after it,
            // which cannot commit.)
            while let Some((oldest, written)) = in_flight.pop_front() {
                committed(written, oldest.committed().await?);
            }
            match failed {
                Some(err) => Err(err.into()),
                None => Ok::<(), SyncError>(()),
            }
        };
        // The writer ends the sync (done or failed); the download is dropped with it.
        let written = write.await;
        drop(pages);
        written?;
        // Its checkpointing thread is waited for (`wal.rs`) on a thread that may block.
        if let Some(file) = file {
            let _ = tokio::task::spawn_blocking(move || drop(file)).await;
        }
    } else {
        began_empty = prepare.await?;
    }
    lock.check().await?;
    finish(store, account, vendor, &run, began_empty, new, &mut report).await?;
    Ok(report)
}

/// Moves `run`'s checkpoint past `page` (it is written only if the page commits: on error
/// the run is dropped by the caller and the next sync reads the state from the database);
/// when the page's rows are synced.
fn advance(run: &mut Run, page: &customers::Page) -> DateTime<Utc> {
    run.cursor = page.next;
    run.pages += 1;
    run.high_water = page.high_water(run.high_water);
    // A clock stepping back must not make this run's rows look older than its start, or
    // the sweep would mark them deleted.
    Utc::now().max(run.started_at)
}

/// Writes `page` of `account` synced at `synced_at` and moves the checkpoint to `run`, in
/// one transaction, into SQLite: through `file`, the sync's own connection to a SQLite
/// file, if there is one. How many rows were new, when known.
async fn write_page(
    store: &Store,
    file: Option<&crate::sqlite_file::FileWriter>,
    account: &str,
    run: &Run,
    page: customers::Page,
    synced_at: DateTime<Utc>,
) -> Result<Option<u64>, SyncError> {
    if let Some(file) = file {
        return file
            .write_page(account, page.customers, synced_at, run)
            .await;
    }
    crate::staged::write_page(store, account, &page.customers, synced_at, run).await
}

/// A new run of `vendor`: incremental from `last_high_water` less the vendor's granularity
/// where the vendor filters by change time on its server, else a full sweep.
fn new_run(vendor: Vendor, last_high_water: Option<DateTime<Utc>>, full: bool) -> Run {
    let server_side = matches!(
        support(vendor, Filter::UpdatedSince),
        Support::Server(_) | Support::ServerOnly(_)
    );
    let granularity =
        chrono::Duration::from_std(vendor.updated_since_granularity()).unwrap_or_default();
    let since = last_high_water
        .filter(|_| server_side && !full)
        .map(|high| high - granularity);
    Run {
        started_at: now(),
        full: since.is_none(),
        since,
        cursor: Some(PageCursor::START),
        pages: 0,
        high_water: None,
    }
}

/// Whether `account` has any row in `store`.
async fn holds_rows(store: &Store, account: &str) -> Result<bool, SyncError> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM customers WHERE account = {} LIMIT 1) AS any_row",
        store.backend().param(1)
    );
    let (rows,): (i64,) = sqlx::query_as(&sql)
        .bind(account)
        .fetch_one(store.pool())
        .await?;
    Ok(rows > 0)
}

/// Completes `run`: marks what a full sweep did not see as deleted (unless the account
/// held no row when the run `began_empty`: a scan of every row for nothing), counts the
/// rows it inserted (unless the pages told: `new`) and records the run as the last
/// completed one, in one transaction.
async fn finish(
    store: &Store,
    account: &str,
    vendor: Vendor,
    run: &Run,
    began_empty: bool,
    new: Option<u64>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let backend = store.backend();
    let mut deduped = crate::indexes::build_at_once(store).await?;
    let mut tx = store.begin_write().await?;
    match backend {
        // As a page's: a server crash can lose the completion (not the rows), and the next
        // sync, finding the run at its end, completes it again.
        Backend::Postgres => {
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *tx)
                .await?;
        }
        // SQLite's key is built in the completing transaction (PostgreSQL's was, above).
        Backend::Sqlite => deduped |= crate::primary_key::ensure_sqlite(&mut tx).await?,
    }
    // Rows a first load wrote twice were removed: the pages' count is off.
    let new = new.filter(|_| !deduped);
    if run.full && !began_empty {
        let sql = format!(
            "UPDATE {} SET deleted_at = {} WHERE account = {} AND deleted_at IS NULL \
             AND last_synced_at < {}",
            backend.scan("customers"),
            backend.time(1),
            backend.param(2),
            backend.time(3)
        );
        let marked = sqlx::query(&sql)
            .bind(time_text(Utc::now().max(run.started_at)))
            .bind(account)
            .bind(time_text(run.started_at))
            .execute(&mut *tx)
            .await?;
        report.marked_deleted = marked.rows_affected();
    }
    report.new = match new {
        Some(new) => new,
        None => {
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE account = {} AND first_synced_at >= {}",
                backend.scan("customers"),
                backend.param(1),
                backend.time(2)
            );
            let (new,): (i64,) = sqlx::query_as(&sql)
                .bind(account)
                .bind(time_text(run.started_at))
                .fetch_one(&mut *tx)
                .await?;
            u64::try_from(new).unwrap_or(0)
        }
    };
    // Records carrying no change time (or a vendor filtering on a time its records do not
    // carry) leave the run's start as the mark: changes after it are asked for next time.
    let high_water = match support(vendor, Filter::UpdatedSince) {
        Support::Server(_) => run.high_water.unwrap_or(run.started_at),
        _ => run.started_at,
    };
    state::complete(&mut tx, account, run, high_water).await?;
    if store.postgres().is_none() {
        crate::indexes::ensure(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Now, to the microsecond both databases keep.
fn now() -> DateTime<Utc> {
    crate::truncate_to_micros(Utc::now())
}

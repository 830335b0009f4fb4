//! A sync's download: the vendor's pages on a task of their own, one decoded page ahead of
//! the writer, and [`HeadStart`], the same begun before the database is ready.

use chrono::{DateTime, Utc};
use customers::{CustomersClient, Page, PageCursor, Query};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Pages of one listing on their way to a sync's writer, stopped when dropped.
pub(crate) struct Download {
    client: CustomersClient,
    query: Query,
    from: PageCursor,
    pages: mpsc::Receiver<Result<Page, customers::Error>>,
    task: JoinHandle<()>,
    /// When it began (to the microsecond a database keeps).
    began_at: DateTime<Utc>,
}

impl Download {
    /// Starts listing `query` of `client` from `from`. A slot is reserved before the next
    /// page is taken from the listing, so no decoded page waits behind a full slot: while
    /// the writer works on one page, one more is decoded and waits, and the next is not
    /// requested. A sync killed meanwhile has fetched one page more than it wrote, which the
    /// next sync fetches again.
    pub(crate) fn begin(client: &CustomersClient, query: Query, from: PageCursor) -> Download {
        let began_at = crate::truncate_to_micros(Utc::now());
        let (sender, pages) = mpsc::channel(1);
        let source = client.pages(query.clone(), from);
        let task = tokio::spawn(async move {
            let mut source = std::pin::pin!(source);
            while let Ok(slot) = sender.reserve().await {
                let Some(page) = source.next().await else {
                    break;
                };
                slot.send(page);
            }
        });
        Download {
            client: client.clone(),
            query,
            from,
            pages,
            task,
            began_at,
        }
    }

    /// When it began.
    pub(crate) fn began_at(&self) -> DateTime<Utc> {
        self.began_at
    }

    /// The next page; `None` after the last.
    pub(crate) async fn next(&mut self) -> Option<Result<Page, customers::Error>> {
        self.pages.recv().await
    }

    /// Whether this lists `query` of `client` from `from`.
    fn lists(&self, client: &CustomersClient, query: &Query, from: PageCursor) -> bool {
        self.client.is(client) && &self.query == query && self.from == from
    }
}

impl Drop for Download {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A full sweep's first pages, requested before the database is ready: for a sync into a
/// database [`crate::Opening::is_new`] says is new, whose schema is still being created,
/// a first load that would otherwise wait for it before its first request. Pass it to
/// [`crate::sync_with`]. A sync that turns out not to begin a full sweep from the first
/// page (another process synced the account meanwhile) drops it, having cost the vendor one
/// request. It holds at most one decoded page until the sync takes it, and stops when
/// dropped.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use customers::{Credentials, CustomersClient, Vendor};
/// use customers_sync::{HeadStart, Store, StoreOptions, SyncOptions, sync_with};
///
/// let client = CustomersClient::builder(Credentials::from_env(Vendor::Hoko)?).build()?;
/// let opening = Store::connect_with("customers.db", &StoreOptions::default()).await?;
/// let head_start = opening.is_new().then(|| HeadStart::begin(&client));
/// let store = opening.migrate().await?;
/// let report = sync_with(&store, &client, &SyncOptions::new(), head_start, |_| {}).await?;
/// println!("{} customers", report.customers);
/// store.close().await;
/// # Ok(()) }
/// ```
pub struct HeadStart(Download);

impl std::fmt::Debug for HeadStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadStart")
            .field("vendor", &self.0.client.vendor())
            .finish_non_exhaustive()
    }
}

impl HeadStart {
    /// Begins listing every customer of `client`'s vendor from the first page, on a task of
    /// its own (within a Tokio runtime).
    pub fn begin(client: &CustomersClient) -> HeadStart {
        HeadStart(Download::begin(client, Query::default(), PageCursor::START))
    }

    /// Its download, if it lists `query` of `client` from `from`.
    pub(crate) fn serving(
        self,
        client: &CustomersClient,
        query: &Query,
        from: PageCursor,
    ) -> Option<Download> {
        self.0.lists(client, query, from).then_some(self.0)
    }
}

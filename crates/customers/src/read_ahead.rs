//! One page of read-ahead: the next page downloads and decodes on another task while the
//! caller works through the current one, so a listing is bound by the vendor rather than by
//! the caller's writing. At most one page waits beside the caller's, so memory stays flat.

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A spawned task that ends when its handle is dropped (a `take`, a dropped listing).
pub(crate) struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    pub(crate) fn new(task: JoinHandle<T>) -> Self {
        AbortOnDrop(task)
    }

    /// The task's output; `None` if it panicked or was cancelled.
    pub(crate) async fn join(mut self) -> Option<T> {
        (&mut self.0).await.ok()
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum State<S, T> {
    /// Not polled yet: the task starts on the first poll, inside the caller's runtime.
    Idle(S),
    /// The task produces; `_task` ends it with the stream.
    Running {
        items: mpsc::Receiver<T>,
        _task: AbortOnDrop<()>,
    },
    /// No Tokio runtime to spawn on: the source is polled in place, without read-ahead.
    Inline(std::pin::Pin<Box<S>>),
}

/// `source`, with its next item produced while the caller holds the current one.
pub(crate) fn read_ahead<S, T>(source: S) -> impl Stream<Item = T> + Send + 'static
where
    S: Stream<Item = T> + Send + 'static,
    T: Send + 'static,
{
    futures::stream::unfold(State::Idle(source), |state| async move {
        match state {
            State::Idle(source) => {
                let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                    let mut source = Box::pin(source);
                    let item = source.next().await?;
                    return Some((item, State::Inline(source)));
                };
                let (sender, mut items) = mpsc::channel(1);
                let task = runtime.spawn(async move {
                    let mut source = std::pin::pin!(source);
                    // The slot is taken before the next item is fetched: the channel's one
                    // place is free only once the caller took the previous item, so at most
                    // one item waits beside the one the caller holds.
                    while let Ok(slot) = sender.reserve().await {
                        match source.next().await {
                            Some(item) => slot.send(item),
                            None => break,
                        }
                    }
                });
                let task = AbortOnDrop::new(task);
                let item = items.recv().await?;
                Some((item, State::Running { items, _task: task }))
            }
            State::Running { mut items, _task } => {
                let item = items.recv().await?;
                Some((item, State::Running { items, _task }))
            }
            State::Inline(mut source) => {
                let item = source.next().await?;
                Some((item, State::Inline(source)))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A source that counts how many items it has produced.
    fn counted(produced: Arc<AtomicUsize>) -> impl Stream<Item = usize> + Send + 'static {
        futures::stream::iter(0..10).map(move |n| {
            produced.fetch_add(1, Ordering::SeqCst);
            n
        })
    }

    #[tokio::test]
    async fn yields_everything_in_order_and_reads_exactly_one_item_ahead() {
        let produced = Arc::new(AtomicUsize::new(0));
        let mut stream = std::pin::pin!(read_ahead(counted(produced.clone())));
        assert_eq!(stream.next().await, Some(0));
        // While the caller holds item 0, the task fetches item 1 and then waits.
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        assert_eq!(produced.load(Ordering::SeqCst), 2);
        let rest: Vec<usize> = stream.collect().await;
        assert_eq!(rest, (1..10).collect::<Vec<_>>());
    }

    #[test]
    fn without_a_runtime_it_still_yields_everything() {
        let produced = Arc::new(AtomicUsize::new(0));
        let all: Vec<usize> = futures::executor::block_on(read_ahead(counted(produced)).collect());
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn dropping_the_stream_stops_the_producer() {
        let produced = Arc::new(AtomicUsize::new(0));
        {
            let mut stream = std::pin::pin!(read_ahead(counted(produced.clone())));
            assert_eq!(stream.next().await, Some(0));
        }
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        assert!(produced.load(Ordering::SeqCst) <= 2);
    }
}

//! The facade's transport: `client_runtime`'s [`Resilient`] (rate limiting, retries,
//! timeouts, the body cap) plus capture of the final response, plugged into every generated
//! client through `client_runtime::Transport`.

use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use client_runtime::{Exec, ExecFuture, Failure, Resilient, RetryEvent};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::events::{Event, Observer};
use crate::{Error, ErrorKind, Vendor};

/// The last response of a request, body read in full.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Where it came from.
    pub url: reqwest::Url,
    /// An error body parsed as JSON, at most once, by whoever needs it first.
    json: OnceLock<Option<serde_json::Value>>,
}

impl Captured {
    pub fn new(buffered: client_runtime::Buffered) -> Self {
        Captured {
            status: buffered.status,
            headers: buffered.headers,
            body: buffered.body,
            url: buffered.url,
            json: OnceLock::new(),
        }
    }

    /// The response as `client_runtime` holds it.
    fn to_buffered(&self) -> client_runtime::Buffered {
        client_runtime::Buffered {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            url: self.url.clone(),
        }
    }

    /// The body as JSON (`None` when it is not), parsed on the first call only.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json
            .get_or_init(|| serde_json::from_slice(&self.body).ok())
            .as_ref()
    }
}

/// The response a request ended with, or why it has none the generated code could read
/// (a stall past the idle timeout, a body over the cap).
type Slot = Arc<Mutex<Option<Result<Captured, Error>>>>;

tokio::task_local! {
    static CAPTURE: Slot;
}

/// Runs a generated client's `send()` and returns the response it ended with, body unparsed
/// (the facade parses it once). The typed result is only consulted when no response arrived.
pub(crate) async fn send<T, E>(
    vendor: Vendor,
    request: impl Future<Output = Result<T, progenitor_client::Error<E>>>,
) -> Result<Captured, Error> {
    let slot: Slot = Arc::default();
    let result = CAPTURE.scope(slot.clone(), request).await;
    let captured = slot.lock().ok().and_then(|mut guard| guard.take());
    match (captured, result) {
        (Some(outcome), _) => outcome,
        (None, Ok(_)) => {
            Err(Error::new(vendor, ErrorKind::Transport)
                .with_message("the response was not captured"))
        }
        (None, Err(progenitor_client::Error::InvalidRequest(message))) => {
            Err(Error::new(vendor, ErrorKind::InvalidQuery).with_message(message))
        }
        (
            None,
            Err(
                progenitor_client::Error::CommunicationError(err)
                | progenitor_client::Error::ResponseBodyError(err),
            ),
        ) => Err(Error::transport(vendor, err)),
        (None, Err(_)) => {
            Err(Error::new(vendor, ErrorKind::Transport).with_message("the request failed"))
        }
    }
}

/// [`Resilient`] for one vendor, its waits reported as [`Event`]s and its final response
/// captured for [`send`].
pub(crate) struct Capturing {
    vendor: Vendor,
    inner: Resilient,
}

impl Capturing {
    /// Wraps `inner` (configured by the builder), adding the vendor's body wait hint and
    /// reporting waits to `observer`.
    pub fn new(vendor: Vendor, inner: Resilient, observer: Option<Observer>) -> Self {
        let inner = inner.body_hint(Arc::new(move |body: &[u8]| {
            let json: serde_json::Value = serde_json::from_slice(body).ok()?;
            vendor.api().wait_hint(&json)
        }));
        let inner = match observer {
            Some(observer) => inner.observer(Arc::new(move |event: &RetryEvent| {
                let event = match event {
                    RetryEvent::Throttled { wait } => Event::Throttled {
                        vendor,
                        wait: *wait,
                    },
                    RetryEvent::Retrying {
                        attempt,
                        wait,
                        reason,
                    } => Event::Retrying {
                        vendor,
                        attempt: *attempt,
                        wait: *wait,
                        reason: reason.clone(),
                    },
                    _ => return,
                };
                observer(&event);
            })),
            None => inner,
        };
        Capturing { vendor, inner }
    }

    /// Whether requests go out unspaced: no rate limit is set and the vendor has not
    /// answered 429 yet.
    pub fn unlimited(&self) -> bool {
        self.inner.rate_per_minute().is_none()
    }

    /// Stores the final response for [`send`] and hands the generated code the same status
    /// with an empty body: its typed decode, whose result [`send`] never uses, then costs
    /// nothing. Outside [`send`] (no capture slot) the generated code gets the whole response.
    fn deliver(&self, outcome: Result<Captured, Error>) -> reqwest::Response {
        // `Bytes` clones share the body: nothing is copied.
        let whole = outcome.as_ref().ok().map(Captured::to_buffered);
        let stored = CAPTURE
            .try_with(|slot| {
                if let Ok(mut guard) = slot.lock() {
                    *guard = Some(outcome);
                }
            })
            .is_ok();
        match whole {
            Some(mut buffered) => {
                if stored {
                    buffered.body = Bytes::new();
                }
                buffered.into_response()
            }
            // No response to hand over: [`send`] returns the error instead.
            None => {
                let mut response = http::Response::new(Bytes::new());
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                reqwest::Response::from(response)
            }
        }
    }
}

impl Exec for Capturing {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'static str,
    ) -> ExecFuture<'a> {
        Box::pin(async move {
            match self.inner.send(client, request).await {
                Ok(buffered) => Ok(self.deliver(Ok(Captured::new(buffered)))),
                Err(Failure::Http(err)) => Err(err),
                Err(failure) => {
                    let error = Error::new(self.vendor, ErrorKind::Transport)
                        .with_message(failure.to_string());
                    Ok(self.deliver(Err(error)))
                }
            }
        })
    }
}

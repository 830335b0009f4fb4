//! The facade's transport: client-side rate limiting, retries with backoff, and capture of
//! the final response, plugged into every generated client through
//! `client_runtime::Transport`.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use client_runtime::{Exec, ExecFuture};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::events::{Event, Observer};
use crate::rate_limit::AdaptiveLimiter;
use crate::retry::{self, RetryPolicy};
use crate::{Error, ErrorKind, Limits, Vendor};

/// The last response of a request, body read in full.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// An error body parsed as JSON, at most once, by whoever needs it first.
    json: OnceLock<Option<serde_json::Value>>,
}

impl Captured {
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Captured {
            status,
            headers,
            body,
            json: OnceLock::new(),
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

/// How one attempt ended.
enum Attempt {
    /// A response, body read in full.
    Answer(Box<Captured>),
    /// reqwest failed (connection, TLS, a broken body).
    Failed(reqwest::Error),
    /// Nothing arrived for the idle timeout.
    Stalled,
    /// The body is larger than the cap (its announced or its actual size so far).
    TooLarge(u64),
}

/// Rate limiter, retries and capture for one vendor.
pub(crate) struct Resilience {
    pub vendor: Vendor,
    pub policy: RetryPolicy,
    pub limits: Limits,
    pub limiter: AdaptiveLimiter,
    pub observer: Option<Observer>,
    /// Sent on every request that does not set them itself (never a credential's header:
    /// the builder refuses those).
    pub headers: reqwest::header::HeaderMap,
}

impl Resilience {
    fn emit(&self, event: Event) {
        if let Some(observer) = &self.observer {
            observer(&event);
        }
    }

    async fn throttle(&self) {
        let wait = self.limiter.reserve();
        if !wait.is_zero() {
            tracing::debug!(vendor = %self.vendor, wait_ms = wait.as_millis() as u64, "waiting for the rate limit");
            self.emit(Event::Throttled {
                vendor: self.vendor,
                wait,
            });
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits before attempt `attempt + 1` if the policy allows; false when it does not.
    async fn wait_to_retry(
        &self,
        attempt: u32,
        hint: Option<Duration>,
        schedule: &mut impl Iterator<Item = Duration>,
        waited: &mut Duration,
        reason: String,
    ) -> bool {
        if attempt >= self.policy.max_attempts {
            return false;
        }
        let wait = match hint {
            Some(hint) => hint,
            None => retry::full_jitter(schedule.next().unwrap_or(self.policy.max_delay)),
        };
        if *waited + wait > self.policy.budget {
            return false;
        }
        *waited += wait;
        tracing::info!(vendor = %self.vendor, attempt, wait_ms = wait.as_millis() as u64, %reason, "retrying");
        self.emit(Event::Retrying {
            vendor: self.vendor,
            attempt,
            wait,
            reason,
        });
        tokio::time::sleep(wait).await;
        true
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let mut request = request;
        for (name, value) in &self.headers {
            if !request.headers().contains_key(name) {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        let mut schedule = self.policy.schedule();
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.throttle().await;
            // A request whose body cannot be cloned is sent once.
            let Some(this_try) = request.try_clone() else {
                return client.execute(request).await;
            };
            // The path only: a query or body may hold what a log must not.
            let (method, path) = (this_try.method().clone(), this_try.url().path().to_owned());
            let started = std::time::Instant::now();
            let attempt_result = match self.limits.attempt_timeout {
                Some(limit) => tokio::time::timeout(limit, self.attempt(client, this_try))
                    .await
                    .unwrap_or(Attempt::Stalled),
                None => self.attempt(client, this_try).await,
            };
            match attempt_result {
                Attempt::Answer(captured) => {
                    let captured = *captured;
                    tracing::debug!(
                        vendor = %self.vendor,
                        %method,
                        path,
                        attempt,
                        status = captured.status.as_u16(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "response"
                    );
                    let transient = captured.status == StatusCode::TOO_MANY_REQUESTS
                        || captured.status == StatusCode::SERVICE_UNAVAILABLE;
                    let hint = if transient {
                        let body_hint = captured
                            .json()
                            .and_then(|json| self.vendor.api().wait_hint(json));
                        retry::hinted_wait(&captured.headers, body_hint, SystemTime::now())
                    } else {
                        None
                    };
                    // A 429 that says how long to wait is answered by waiting that long; one
                    // that does not is the signal the rate limiter adapts to.
                    if captured.status == StatusCode::TOO_MANY_REQUESTS && hint.is_none() {
                        self.limiter.throttled();
                    } else if captured.status.is_success() {
                        self.limiter.succeeded();
                    }
                    if transient {
                        let reason = format!("HTTP {}", captured.status.as_u16());
                        if self
                            .wait_to_retry(attempt, hint, &mut schedule, &mut waited, reason)
                            .await
                        {
                            continue;
                        }
                    }
                    return Ok(self.deliver(Ok(captured)));
                }
                Attempt::Stalled => {
                    if !self
                        .wait_to_retry(
                            attempt,
                            None,
                            &mut schedule,
                            &mut waited,
                            "timed out".into(),
                        )
                        .await
                    {
                        let idle = self.limits.idle_timeout.as_secs_f64();
                        let error = Error::new(self.vendor, ErrorKind::Transport).with_message(
                            format!(
                                "timed out: no data for {idle} s (attempt {attempt}; the idle timeout is configurable)"
                            ),
                        );
                        return Ok(self.deliver(Err(error)));
                    }
                }
                Attempt::TooLarge(size) => {
                    let cap = self.limits.max_body_bytes;
                    let error = Error::new(self.vendor, ErrorKind::Transport).with_message(
                        format!(
                            "the response body ({size} bytes or more) is larger than the {cap}-byte cap; \
                             raise the cap or ask for smaller pages"
                        ),
                    );
                    return Ok(self.deliver(Err(error)));
                }
                Attempt::Failed(err) if !err.is_builder() && !err.is_redirect() => {
                    let reason = if err.is_timeout() {
                        "timed out"
                    } else if err.is_connect() {
                        "connection failed"
                    } else {
                        "connection broke"
                    };
                    if !self
                        .wait_to_retry(attempt, None, &mut schedule, &mut waited, reason.into())
                        .await
                    {
                        return Err(err);
                    }
                }
                Attempt::Failed(err) => return Err(err),
            }
        }
    }

    /// One attempt: the response head, then the body piece by piece, each awaited for at
    /// most the idle timeout, the body never beyond the cap.
    async fn attempt(&self, client: &reqwest::Client, request: reqwest::Request) -> Attempt {
        let idle = self.limits.idle_timeout;
        let cap = self.limits.max_body_bytes;
        let mut response = match tokio::time::timeout(idle, client.execute(request)).await {
            Err(_) => return Attempt::Stalled,
            Ok(Err(err)) => return Attempt::Failed(err),
            Ok(Ok(response)) => response,
        };
        let announced = response.content_length();
        if let Some(length) = announced.filter(|length| *length > cap) {
            return Attempt::TooLarge(length);
        }
        let capacity = announced.and_then(|l| usize::try_from(l).ok()).unwrap_or(0);
        // A body error carries no URL of its own; the error names the path from it.
        let url = response.url().clone();
        let mut body = Vec::with_capacity(capacity);
        loop {
            match tokio::time::timeout(idle, response.chunk()).await {
                Err(_) => return Attempt::Stalled,
                Ok(Err(err)) => return Attempt::Failed(err.with_url(url)),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    let size = (body.len() + chunk.len()) as u64;
                    if size > cap {
                        return Attempt::TooLarge(size);
                    }
                    body.extend_from_slice(&chunk);
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        Attempt::Answer(Box::new(Captured::new(status, headers, Bytes::from(body))))
    }

    /// Stores the final response for [`send`] and hands the generated code the same status
    /// with an empty body: its typed decode, whose result [`send`] never uses, then costs
    /// nothing. Outside [`send`] (no capture slot) the generated code gets the whole response.
    fn deliver(&self, outcome: Result<Captured, Error>) -> reqwest::Response {
        let (status, headers) = match &outcome {
            Ok(captured) => (captured.status, captured.headers.clone()),
            // No response to hand over: [`send`] returns the error instead.
            Err(_) => (StatusCode::BAD_GATEWAY, HeaderMap::new()),
        };
        let mut outcome = Some(outcome);
        let _ = CAPTURE.try_with(|slot| {
            if let Ok(mut guard) = slot.lock() {
                *guard = outcome.take();
            }
        });
        let body = outcome
            .and_then(Result::ok)
            .map(|whole| whole.body)
            .unwrap_or_default();
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        reqwest::Response::from(response)
    }
}

impl Exec for Resilience {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'static str,
    ) -> ExecFuture<'a> {
        Box::pin(self.run(client, request))
    }
}

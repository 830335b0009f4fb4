//! The retrying, rate-limited transport: what a user of one generated crate installs to get
//! the behaviour the `customers` facade has, and what the facade itself is built on.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use client_runtime::{Resilient, RetryPolicy, Transport};
//!
//! let transport = Transport::new(Arc::new(
//!     Resilient::new("hoko")
//!         .rate_limit_per_minute(Some(600))
//!         .retry(RetryPolicy::default()),
//! ));
//! # let _ = transport;
//! // hoko_client::Client::with_credentials(url, &credentials)?.with_transport(transport)
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::Limits;
use crate::rate_limit::{AdaptiveLimiter, Answer, DEFAULT_WINDOW, Slot};
use crate::retry::{self, RetryPolicy};
use crate::transport::{Exec, ExecFuture};

/// What the transport is doing, for progress bars and logs (it also logs with `tracing`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryEvent {
    /// The rate limiter holds a request back for `wait`.
    Throttled {
        /// How long until the request may go.
        wait: Duration,
    },
    /// A request waits before its next attempt.
    Retrying {
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// How long it waits.
        wait: Duration,
        /// Why, e.g. `HTTP 429` or `connection failed`.
        reason: String,
    },
}

/// A final response, its body read in full.
#[derive(Debug, Clone)]
pub struct Buffered {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// The URL it came from (after redirects).
    pub url: reqwest::Url,
}

impl Buffered {
    /// The response as reqwest hands it over, for code that decodes responses itself.
    pub fn into_response(self) -> reqwest::Response {
        use reqwest::ResponseBuilderExt;
        // The URL goes in through the builder (reqwest keeps it in a private extension);
        // only an invalid status or header could fail it, and there are none yet.
        let mut response = match http::Response::builder().url(self.url).body(()) {
            Ok(response) => response.map(|()| self.body),
            Err(_) => http::Response::new(self.body),
        };
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        reqwest::Response::from(response)
    }
}

/// Why a request ended without a response.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// reqwest failed (connection, TLS, a redirect refused, a broken body) and retries, if
    /// allowed, did not help.
    #[error(transparent)]
    Http(reqwest::Error),
    /// Every attempt allowed stalled past the idle timeout or the attempt timeout.
    #[error(
        "timed out: no data for {} s (attempt {attempts}; the idle timeout is configurable)",
        idle.as_secs_f64()
    )]
    Stalled {
        /// Attempts made.
        attempts: u32,
        /// The idle timeout.
        idle: Duration,
    },
    /// The body is larger than the cap.
    #[error(
        "the response body ({size} bytes or more) is larger than the {cap}-byte cap; raise the cap or ask for smaller pages"
    )]
    TooLarge {
        /// The announced size, or the size read so far.
        size: u64,
        /// The cap.
        cap: u64,
    },
}

/// Reads a vendor's wait hint from a 429 or 503 body (e.g. Hoko's `retryAfter`).
pub type BodyHint = Arc<dyn Fn(&[u8]) -> Option<Duration> + Send + Sync>;

/// Receives [`RetryEvent`]s; runs on the request's task, so it must be cheap.
pub type RetryObserver = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// Client-side rate limiting ([`AdaptiveLimiter`]), retries of 429, 503 and connection
/// failures under a [`RetryPolicy`] (waiting as `Retry-After`, the vendor's body hint or
/// `X-RateLimit-Reset` say), an idle timeout, an optional attempt timeout and a body cap
/// ([`Limits`]). Install it with [`Transport::new`](crate::Transport::new).
pub struct Resilient {
    label: &'static str,
    policy: RetryPolicy,
    limits: Limits,
    limiter: AdaptiveLimiter,
    /// The configured ceiling and window, kept so that either can be set first.
    per_minute: Option<u32>,
    window: Duration,
    headers: HeaderMap,
    observer: Option<RetryObserver>,
    body_hint: Option<BodyHint>,
}

impl fmt::Debug for Resilient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resilient")
            .field("label", &self.label)
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .field("rate_per_minute", &self.limiter.per_minute())
            .field("default_headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// How one attempt ended.
enum Attempt {
    Answer(Box<Buffered>),
    Failed(reqwest::Error),
    Stalled,
    TooLarge(u64),
}

impl Resilient {
    /// A transport with the default policy and limits and no rate limit until the server
    /// answers 429; `label` names the API in logs (e.g. `hoko`).
    pub fn new(label: &'static str) -> Self {
        Resilient {
            label,
            policy: RetryPolicy::default(),
            limits: Limits::default(),
            limiter: AdaptiveLimiter::new(None),
            per_minute: None,
            window: DEFAULT_WINDOW,
            headers: HeaderMap::new(),
            observer: None,
            body_hint: None,
        }
    }

    /// Retries as `policy` allows.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Timeouts and the body cap.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Never sends faster than `per_minute` requests (`None`: no ceiling; the vendor's own
    /// limit is learned from its 429s and announced quota either way).
    pub fn rate_limit_per_minute(mut self, per_minute: Option<u32>) -> Self {
        self.per_minute = per_minute;
        self.limiter = AdaptiveLimiter::with_window(per_minute, self.window);
        self
    }

    /// The window the vendor counts requests over (default a minute): the limiter learns
    /// how many it accepts in it.
    pub fn rate_limit_window(mut self, window: Duration) -> Self {
        self.window = window;
        self.limiter = AdaptiveLimiter::with_window(self.per_minute, window);
        self
    }

    /// The vendor's limit as learned so far: requests per window, and the window.
    pub fn learned_limit(&self) -> Option<(u64, Duration)> {
        self.limiter.capacity()
    }

    /// Headers sent on every request that does not set them itself.
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    /// Calls `observer` on every wait.
    pub fn observer(mut self, observer: RetryObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Reads a wait hint from 429 and 503 bodies with `hint`.
    pub fn body_hint(mut self, hint: BodyHint) -> Self {
        self.body_hint = Some(hint);
        self
    }

    /// The rate the limiter allows now, requests a minute (`None`: unlimited).
    pub fn rate_per_minute(&self) -> Option<f64> {
        self.limiter.per_minute()
    }

    fn emit(&self, event: RetryEvent) {
        if let Some(observer) = &self.observer {
            observer(&event);
        }
    }

    async fn throttle(&self) -> Slot {
        let slot = self.limiter.reserve();
        let wait = slot.wait;
        if !wait.is_zero() {
            tracing::debug!(
                vendor = self.label,
                wait_ms = wait.as_millis() as u64,
                "waiting for the rate limit"
            );
            self.emit(RetryEvent::Throttled { wait });
            tokio::time::sleep(wait).await;
        }
        slot
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
        tracing::info!(vendor = self.label, attempt, wait_ms = wait.as_millis() as u64, %reason, "retrying");
        self.emit(RetryEvent::Retrying {
            attempt,
            wait,
            reason,
        });
        tokio::time::sleep(wait).await;
        true
    }

    /// Sends `request` with `client`, waiting for the rate limit and retrying as the policy
    /// allows, and returns the final response with its body read in full.
    pub async fn send(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> Result<Buffered, Failure> {
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
            let slot = self.throttle().await;
            // A request whose body cannot be cloned is sent once.
            let Some(this_try) = request.try_clone() else {
                let outcome = self.attempt(client, request).await;
                self.limiter.answered(slot, Answer::Accepted(None));
                return match outcome {
                    Attempt::Answer(buffered) => Ok(*buffered),
                    Attempt::Failed(err) => Err(Failure::Http(err)),
                    Attempt::Stalled => Err(self.stalled(attempt)),
                    Attempt::TooLarge(size) => Err(self.too_large(size)),
                };
            };
            // The path only: a query or body may hold what a log must not.
            let (method, path) = (this_try.method().clone(), this_try.url().path().to_owned());
            let started = Instant::now();
            let outcome = match self.limits.attempt_timeout {
                Some(limit) => tokio::time::timeout(limit, self.attempt(client, this_try))
                    .await
                    .unwrap_or(Attempt::Stalled),
                None => self.attempt(client, this_try).await,
            };
            match outcome {
                Attempt::Answer(buffered) => {
                    let buffered = *buffered;
                    tracing::debug!(
                        vendor = self.label,
                        %method,
                        path,
                        attempt,
                        status = buffered.status.as_u16(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "response"
                    );
                    let transient = buffered.status == StatusCode::TOO_MANY_REQUESTS
                        || buffered.status == StatusCode::SERVICE_UNAVAILABLE;
                    let hint = if transient {
                        let body_hint = self.body_hint.as_ref().and_then(|h| h(&buffered.body));
                        retry::hinted_wait(&buffered.headers, body_hint, SystemTime::now())
                    } else {
                        None
                    };
                    // A 429 that says how long to wait holds every request that long; one
                    // that does not is the signal the rate limiter learns from.
                    let answer = match (buffered.status, hint) {
                        (StatusCode::TOO_MANY_REQUESTS, None) => Answer::Refused,
                        (_, Some(hint)) => Answer::Hinted(hint),
                        _ => Answer::Accepted(crate::quota_headers::announced(
                            &buffered.headers,
                            SystemTime::now(),
                        )),
                    };
                    self.limiter.answered(slot, answer);
                    if transient {
                        let reason = format!("HTTP {}", buffered.status.as_u16());
                        if self
                            .wait_to_retry(attempt, hint, &mut schedule, &mut waited, reason)
                            .await
                        {
                            continue;
                        }
                    }
                    return Ok(buffered);
                }
                Attempt::Stalled => {
                    // The vendor may have counted it: the limiter does.
                    self.limiter.answered(slot, Answer::Accepted(None));
                    let reason = "timed out".to_owned();
                    if !self
                        .wait_to_retry(attempt, None, &mut schedule, &mut waited, reason)
                        .await
                    {
                        return Err(self.stalled(attempt));
                    }
                }
                Attempt::TooLarge(size) => {
                    self.limiter.answered(slot, Answer::Accepted(None));
                    return Err(self.too_large(size));
                }
                Attempt::Failed(err) if !err.is_builder() && !err.is_redirect() => {
                    self.limiter.answered(slot, Answer::Accepted(None));
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
                        return Err(Failure::Http(err));
                    }
                }
                Attempt::Failed(err) => {
                    self.limiter.answered(slot, Answer::Accepted(None));
                    return Err(Failure::Http(err));
                }
            }
        }
    }

    fn stalled(&self, attempts: u32) -> Failure {
        Failure::Stalled {
            attempts,
            idle: self.limits.idle_timeout,
        }
    }

    fn too_large(&self, size: u64) -> Failure {
        Failure::TooLarge {
            size,
            cap: self.limits.max_body_bytes,
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
        Attempt::Answer(Box::new(Buffered {
            status: response.status(),
            headers: std::mem::take(response.headers_mut()),
            body: Bytes::from(body),
            url,
        }))
    }
}

/// A generated client's `send()` gets the final response; a stall or an oversized body
/// becomes a reqwest body error whose source is the [`Failure`], so the caller sees why.
impl Exec for Resilient {
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'static str,
    ) -> ExecFuture<'a> {
        Box::pin(async move {
            match self.send(client, request).await {
                Ok(buffered) => Ok(buffered.into_response()),
                Err(Failure::Http(err)) => Err(err),
                Err(failure) => crate::transport::as_reqwest_error(failure).await,
            }
        })
    }
}

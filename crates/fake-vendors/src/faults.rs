//! Misbehaving like a real vendor: the rate limit, and injected faults.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use futures::stream;

use crate::routes::SharedState;

/// How long a stalled request waits before it is answered.
const STALL: Duration = Duration::from_millis(700);

/// The kinds of injected fault.
#[derive(Debug, Clone, Copy)]
enum Fault {
    TooManyRequests,
    Unavailable,
    Reset,
    Truncated,
    Stall,
}

/// Requests of the current window, for the rate limit.
#[derive(Default)]
pub(crate) struct Window {
    /// Accepted requests of the last minute (sliding), or of the current one (fixed).
    accepted: VecDeque<Instant>,
    /// When the current fixed minute started.
    fixed_start: Option<Instant>,
}

/// What the rate limit made of a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Admission {
    /// Whether it was accepted.
    pub accepted: bool,
    /// Requests left in the window after it.
    pub remaining: u32,
    /// How long until a request would be accepted again (refused), or until the window
    /// starts again (fixed windows).
    pub reset: Duration,
}

impl Window {
    /// Records a request against `per_minute` a minute (a minute scaled by `scale`, for
    /// tests) counted the `kind` way.
    pub(crate) fn admit(
        &mut self,
        kind: RateWindow,
        per_minute: u32,
        scale: f64,
        now: Instant,
    ) -> Admission {
        let minute = Duration::from_secs(60).mul_f64(scale.clamp(0.0001, 1000.0));
        let limit = per_minute as usize;
        let reset = match kind {
            RateWindow::Sliding => {
                while self
                    .accepted
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= minute)
                {
                    self.accepted.pop_front();
                }
                let oldest = self.accepted.front().copied().unwrap_or(now);
                minute.saturating_sub(now.duration_since(oldest))
            }
            RateWindow::Fixed | RateWindow::FixedAnnounced => {
                let start = self.fixed_start.get_or_insert(now);
                let elapsed = now.duration_since(*start);
                if elapsed >= minute {
                    // Whole minutes since the first request: windows keep their phase.
                    let minutes = (elapsed.as_secs_f64() / minute.as_secs_f64()).floor();
                    *start += minute.mul_f64(minutes);
                    self.accepted.clear();
                }
                minute.saturating_sub(now.duration_since(*start))
            }
        };
        let accepted = self.accepted.len() < limit;
        if accepted {
            self.accepted.push_back(now);
        }
        Admission {
            accepted,
            remaining: limit.saturating_sub(self.accepted.len()) as u32,
            reset,
        }
    }
}

/// How a fake's rate limit counts requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateWindow {
    /// Any rolling minute (HelpCrunch's documented way); no quota announced.
    #[default]
    Sliding,
    /// Minutes one after another from the first request; no quota announced.
    Fixed,
    /// Fixed minutes, every response announcing `X-RateLimit-Limit`, `-Remaining` and
    /// `-Reset` (seconds until the window starts again; fractions when time is scaled).
    FixedAnnounced,
}

/// The middleware: rate limit first, then maybe a fault, else the real answer.
pub(crate) async fn misbehave(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let vendor = state.config.vendor;
    if !state.config.jitter.is_zero() {
        let wait = state.config.jitter.mul_f64(state.jitter());
        tokio::time::sleep(wait).await;
    }
    let mut announce = None;
    if let Some(per_minute) = state.config.rate_limit_per_minute {
        let kind = state.config.rate_limit_window;
        let admission = state
            .window
            .lock()
            .ok()
            .map(|mut w| w.admit(kind, per_minute, state.config.time_scale, Instant::now()));
        if let Some(admission) = admission {
            let announced = (kind == RateWindow::FixedAnnounced)
                .then(|| quota_headers(per_minute, admission, state.config.time_scale));
            if !admission.accepted {
                let wait = admission.reset.as_secs_f64().ceil() as u64;
                let mut response = vendor.fake().too_many_requests(wait.max(1), per_minute);
                response.headers_mut().extend(announced.unwrap_or_default());
                return response;
            }
            announce = announced;
        }
    }
    let fault = state.draw(|rng, rate| {
        (rng.f64() < rate).then(|| {
            [
                Fault::TooManyRequests,
                Fault::Unavailable,
                Fault::Reset,
                Fault::Truncated,
                Fault::Stall,
            ][rng.usize(..5)]
        })
    });
    let mut response = match fault {
        None => next.run(request).await,
        Some(Fault::TooManyRequests) => {
            let wait = (state.config.time_scale.max(0.0)).round() as u64;
            vendor.fake().too_many_requests(wait, 0)
        }
        Some(Fault::Unavailable) => vendor.fake().unavailable(),
        Some(Fault::Reset) => broken_body(Bytes::new()),
        Some(Fault::Truncated) => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let full = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = full.slice(..full.len() / 2);
            let mut truncated = broken_body(half);
            *truncated.status_mut() = parts.status;
            truncated
        }
        Some(Fault::Stall) => {
            tokio::time::sleep(STALL.mul_f64(state.config.time_scale.clamp(0.0, 1000.0))).await;
            next.run(request).await
        }
    };
    response.headers_mut().extend(announce.unwrap_or_default());
    response
}

/// `X-RateLimit-*` for an announcing window; the reset in seconds, with fractions when the
/// minute is scaled below a second's precision.
fn quota_headers(limit: u32, admission: Admission, scale: f64) -> HeaderMap {
    let reset = if scale < 1.0 {
        format!("{:.3}", admission.reset.as_secs_f64())
    } else {
        admission.reset.as_secs_f64().ceil().to_string()
    };
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", admission.remaining.to_string()),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    headers
}

/// A body that sends `prefix` and then breaks the connection.
fn broken_body(prefix: Bytes) -> Response {
    let chunks = stream::iter([
        Ok::<Bytes, std::io::Error>(prefix),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected fault",
        )),
    ]);
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_per_minute_then_says_how_long_to_wait() {
        let mut window = Window::default();
        let start = Instant::now();
        let admit = |w: &mut Window, at: u64, scale| {
            w.admit(
                RateWindow::Sliding,
                2,
                scale,
                start + Duration::from_secs(at),
            )
        };
        assert!(admit(&mut window, 0, 1.0).accepted);
        assert!(admit(&mut window, 10, 1.0).accepted);
        let refused = admit(&mut window, 20, 1.0);
        assert!(!refused.accepted);
        assert_eq!(refused.reset, Duration::from_secs(40));
        assert!(admit(&mut window, 61, 1.0).accepted);
        // At a tenth of real time, the minute is six seconds.
        let mut scaled = Window::default();
        assert!(admit(&mut scaled, 0, 0.1).accepted);
        assert!(admit(&mut scaled, 1, 0.1).accepted);
        let refused = admit(&mut scaled, 2, 0.1);
        assert_eq!(
            (refused.accepted, refused.reset),
            (false, Duration::from_secs(4))
        );
    }

    #[test]
    fn a_fixed_window_starts_again_whole_minutes_after_the_first_request() {
        let mut window = Window::default();
        let start = Instant::now();
        let admit = |w: &mut Window, at: u64| {
            w.admit(RateWindow::Fixed, 2, 1.0, start + Duration::from_secs(at))
        };
        assert_eq!(admit(&mut window, 0).remaining, 1);
        assert!(admit(&mut window, 50).accepted);
        let refused = admit(&mut window, 55);
        assert_eq!(
            (refused.accepted, refused.reset),
            (false, Duration::from_secs(5))
        );
        // A sliding window would refuse at 61 (two in the last minute); a fixed one starts again.
        assert!(admit(&mut window, 61).accepted);
        assert!(admit(&mut window, 62).accepted);
        assert!(!admit(&mut window, 119).accepted);
        // Two minutes on, the windows keep their phase: this one started at 180.
        let late = admit(&mut window, 185);
        assert_eq!((late.accepted, late.reset), (true, Duration::from_secs(55)));
    }

    #[test]
    fn an_announcing_window_says_what_is_left() {
        let admission = Admission {
            accepted: true,
            remaining: 3,
            reset: Duration::from_millis(1500),
        };
        let real = quota_headers(10, admission, 1.0);
        assert_eq!(real["x-ratelimit-limit"], "10");
        assert_eq!(real["x-ratelimit-remaining"], "3");
        assert_eq!(real["x-ratelimit-reset"], "2");
        let scaled = quota_headers(10, admission, 0.05);
        assert_eq!(scaled["x-ratelimit-reset"], "1.500");
    }
}

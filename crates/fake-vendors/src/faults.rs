//! Misbehaving like a real vendor: the rate limit, and injected faults.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
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

/// Requests of the last minute, for the rate limit.
#[derive(Default)]
pub(crate) struct Window(VecDeque<Instant>);

impl Window {
    /// Records a request; `Some(wait)` when it is over `per_minute` (a minute scaled by
    /// `scale`, for tests).
    fn admit(&mut self, per_minute: u32, scale: f64, now: Instant) -> Option<Duration> {
        let minute = Duration::from_secs(60).mul_f64(scale.clamp(0.0001, 1000.0));
        while self
            .0
            .front()
            .is_some_and(|t| now.duration_since(*t) >= minute)
        {
            self.0.pop_front();
        }
        if self.0.len() >= per_minute as usize {
            let oldest = self.0.front().copied().unwrap_or(now);
            return Some(minute.saturating_sub(now.duration_since(oldest)));
        }
        self.0.push_back(now);
        None
    }
}

/// The middleware: rate limit first, then maybe a fault, else the real answer.
pub(crate) async fn misbehave(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let vendor = state.config.vendor;
    if let Some(per_minute) = state.config.rate_limit_per_minute {
        let wait = state
            .window
            .lock()
            .ok()
            .and_then(|mut w| w.admit(per_minute, state.config.time_scale, Instant::now()));
        if let Some(wait) = wait {
            return vendor
                .fake()
                .too_many_requests(wait.as_secs().max(1), per_minute);
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
    match fault {
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
    }
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
        assert_eq!(window.admit(2, 1.0, start), None);
        assert_eq!(window.admit(2, 1.0, start + Duration::from_secs(10)), None);
        assert_eq!(
            window.admit(2, 1.0, start + Duration::from_secs(20)),
            Some(Duration::from_secs(40))
        );
        assert_eq!(window.admit(2, 1.0, start + Duration::from_secs(61)), None);
        // At a tenth of real time, the minute is six seconds.
        let mut scaled = Window::default();
        assert_eq!(scaled.admit(1, 0.1, start), None);
        assert_eq!(
            scaled.admit(1, 0.1, start + Duration::from_secs(2)),
            Some(Duration::from_secs(4))
        );
    }
}

//! When and how long to wait before retrying: the policy, and the vendors' hints.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::header::HeaderMap;

/// Retries of 429, 503 and connection failures. Other responses are never retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The total time one request may spend waiting between attempts. A vendor's hint
    /// longer than what is left ends the retries at once.
    pub budget: Duration,
    /// First backoff step when the vendor gives no hint.
    pub base_delay: Duration,
    /// Largest backoff step.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Sized for long exports: at a 30% fault rate, five attempts lose about one request in
    /// 400 (so a 1,000-page export rarely finishes), ten lose one in 170,000.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            budget: Duration::from_secs(300),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The capped exponential schedule (without jitter) for one request.
    pub(crate) fn schedule(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::default()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .without_max_times()
            .build()
    }
}

/// Full jitter: a uniformly random wait between zero and `step`.
pub(crate) fn full_jitter(step: Duration) -> Duration {
    step.mul_f64(fastrand::f64())
}

/// The wait a 429 or 503 response asks for: `Retry-After` (seconds or an HTTP date), then
/// the vendor's body field (`body_hint`, e.g. Hoko's `retryAfter`), then `X-RateLimit-Reset`
/// or `RateLimit-Reset` (seconds, fractions allowed, or a unix time when it is that large).
pub fn hinted_wait(
    headers: &HeaderMap,
    body_hint: Option<Duration>,
    now: SystemTime,
) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = header("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(date) = httpdate::parse_http_date(value) {
            return Some(date.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    if body_hint.is_some() {
        return body_hint;
    }
    let reset = header("x-ratelimit-reset").or_else(|| header("ratelimit-reset"))?;
    crate::quota_headers::reset_after(reset, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quota_headers::headers;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", "7")]), None, now),
            Some(Duration::from_secs(7))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", &date)]), None, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", &past)]), None, now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn body_hint_then_rate_limit_reset() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let body = Some(Duration::from_secs(60));
        assert_eq!(hinted_wait(&headers(&[]), body, now), body);
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", "2")]), body, now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            hinted_wait(&headers(&[("x-ratelimit-reset", "1700000012")]), None, now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            hinted_wait(&headers(&[("x-ratelimit-reset", "12")]), None, now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            hinted_wait(&headers(&[("retry-after", "soon")]), None, now),
            None
        );
    }

    #[test]
    fn backoff_is_capped_exponential_and_jitter_stays_below_the_step() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            ..RetryPolicy::default()
        };
        let steps: Vec<u128> = policy.schedule().take(5).map(|d| d.as_millis()).collect();
        assert_eq!(steps, [100, 200, 400, 500, 500]);
        for _ in 0..100 {
            assert!(full_jitter(Duration::from_millis(100)) <= Duration::from_millis(100));
        }
    }
}

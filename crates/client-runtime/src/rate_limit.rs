//! A client-side rate limiter that adapts, as the AWS SDKs' adaptive retry mode does: it
//! spaces requests evenly at its current rate. A 429 halves the rate being sent, but never
//! below four fifths of what the vendor accepted over the last two seconds: a vendor's limit
//! is found in a few halvings, while a 429 that is not about the rate (a hiccup, an injected
//! fault) cannot ratchet a fast export down. After a decrease the rate climbs back linearly
//! over two seconds, then each success adds 1%, never above the configured rate nor above
//! twice the rate being sent. With no configured rate it lets everything through until the
//! first 429.
//!
//! (governor, used before, cannot change its quota while running: hence this small one.)

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a 429 leaves of the rate being sent.
const DECREASE: f64 = 0.5;
/// ... but never less than this share of the rate the vendor accepted.
const ACCEPTED_SHARE: f64 = 0.8;
/// The accepted rate is counted over this window.
const ACCEPTED_WINDOW: Duration = Duration::from_secs(2);
/// Once recovered, each success adds 1%.
const INCREASE: f64 = 1.01;
/// After a decrease, the rate climbs back to where it was over this long.
const RECOVERY: Duration = Duration::from_secs(2);
/// The sending rate is measured over this window.
const MEASURE_WINDOW: Duration = Duration::from_secs(2);
/// Never slower than this (requests a second): a vendor that answers 429 to everything
/// must not stall the export for hours between retries.
const FLOOR: f64 = 0.05;

/// The limiter of one client.
pub struct AdaptiveLimiter {
    state: Mutex<State>,
}

struct State {
    /// The configured ceiling, requests a second (`None`: no ceiling).
    ceiling: Option<f64>,
    /// The rate now, requests a second (`None`: unlimited, until the first 429).
    rate: Option<f64>,
    /// When the next request may go.
    next: Instant,
    /// When recent requests went, to measure the sending rate.
    sent: VecDeque<Instant>,
    /// When recent requests succeeded, to measure what the vendor accepts.
    accepted: VecDeque<Instant>,
    /// The last decrease: the rate before it, the rate after it, and when.
    decrease: Option<(f64, f64, Instant)>,
}

impl AdaptiveLimiter {
    /// A limiter starting at `per_minute` (`None`: no limit until the vendor says 429).
    pub fn new(per_minute: Option<u32>) -> Self {
        let ceiling = per_minute.filter(|r| *r > 0).map(|r| f64::from(r) / 60.0);
        AdaptiveLimiter {
            state: Mutex::new(State {
                ceiling,
                rate: ceiling,
                next: Instant::now(),
                sent: VecDeque::new(),
                accepted: VecDeque::new(),
                decrease: None,
            }),
        }
    }

    /// Reserves the next slot; returns how long to wait for it (zero when it is free).
    pub fn reserve(&self) -> Duration {
        let Ok(mut state) = self.state.lock() else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let at = match state.rate {
            Some(rate) => {
                let at = state.next.max(now);
                state.next = at + Duration::from_secs_f64(1.0 / rate);
                at
            }
            None => now,
        };
        state.sent.push_back(at);
        while state
            .sent
            .front()
            .is_some_and(|t| at.saturating_duration_since(*t) > MEASURE_WINDOW)
        {
            state.sent.pop_front();
        }
        at.saturating_duration_since(now)
    }

    /// The vendor answered 429: halve what was being sent.
    pub fn throttled(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let now = Instant::now();
        state.forget_accepted(now);
        let accepted = state.accepted.len() as f64 / ACCEPTED_WINDOW.as_secs_f64();
        let sending = match (state.rate, state.measured()) {
            (Some(rate), Some(measured)) => rate.min(measured),
            (Some(rate), None) => rate,
            (None, Some(measured)) => measured,
            // Unlimited, and too few requests yet to tell the rate: wait for more.
            (None, None) => return,
        };
        let rate = (sending * DECREASE)
            .max(accepted * ACCEPTED_SHARE)
            .min(sending)
            .max(FLOOR);
        state.rate = Some(rate);
        state.decrease = Some((sending.max(rate), rate, now));
        // The requests reserved at the old rate wait for the new spacing too.
        state.next = Instant::now() + Duration::from_secs_f64(1.0 / rate);
        tracing::info!(
            requests_per_minute = rate * 60.0,
            "rate lowered after a 429"
        );
    }

    /// A request went through: a little more next time.
    pub fn succeeded(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let now = Instant::now();
        state.accepted.push_back(now);
        state.forget_accepted(now);
        let Some(rate) = state.rate else { return };
        let mut raised = match state.decrease {
            // Climbing back, linearly over the recovery time.
            Some((before, after, at)) if now.saturating_duration_since(at) < RECOVERY => {
                let done = now.saturating_duration_since(at).as_secs_f64() / RECOVERY.as_secs_f64();
                (after + (before - after) * done).max(rate)
            }
            _ => rate * INCREASE,
        };
        if let Some(measured) = state.measured() {
            raised = raised.min((2.0 * measured).max(rate));
        }
        if let Some(ceiling) = state.ceiling {
            raised = raised.min(ceiling);
        }
        state.rate = Some(raised);
    }

    /// The current rate, requests a minute (`None`: unlimited).
    pub fn per_minute(&self) -> Option<f64> {
        self.state
            .lock()
            .ok()
            .and_then(|state| state.rate.map(|r| r * 60.0))
    }
}

impl State {
    fn forget_accepted(&mut self, now: Instant) {
        while self
            .accepted
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > ACCEPTED_WINDOW)
        {
            self.accepted.pop_front();
        }
    }

    /// Requests a second over the measuring window, when there are enough to tell.
    fn measured(&self) -> Option<f64> {
        let first = *self.sent.front()?;
        let last = *self.sent.back()?;
        let span = last.saturating_duration_since(first).as_secs_f64();
        (self.sent.len() >= 3 && span > 0.0).then(|| (self.sent.len() - 1) as f64 / span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_halves_the_rate_but_not_below_what_the_vendor_accepted() {
        let limiter = AdaptiveLimiter::new(Some(6000));
        limiter.throttled();
        assert_eq!(limiter.per_minute(), Some(3000.0), "halved");
        limiter.throttled();
        assert_eq!(limiter.per_minute(), Some(1500.0), "halved again");
        // 60 accepted in the last two seconds: the floor is four fifths of 30 a second.
        for _ in 0..60 {
            limiter.succeeded();
        }
        limiter.throttled();
        limiter.throttled();
        limiter.throttled();
        let floor = limiter.per_minute().expect("limited");
        assert!((floor - 30.0 * 0.8 * 60.0).abs() < 1e-6, "{floor}");
    }

    #[test]
    fn without_a_ceiling_it_is_unlimited_until_a_429() {
        let limiter = AdaptiveLimiter::new(None);
        for _ in 0..5 {
            assert_eq!(limiter.reserve(), Duration::ZERO);
        }
        assert_eq!(limiter.per_minute(), None);
        std::thread::sleep(Duration::from_millis(5));
        let _ = limiter.reserve();
        limiter.throttled();
        assert!(limiter.per_minute().is_some());
        // The next slot is now spaced out.
        let _ = limiter.reserve();
        assert!(limiter.reserve() > Duration::ZERO);
    }

    #[test]
    fn requests_are_spaced_at_the_rate() {
        let limiter = AdaptiveLimiter::new(Some(60));
        assert_eq!(limiter.reserve(), Duration::ZERO);
        let second = limiter.reserve();
        assert!(second > Duration::from_millis(900) && second <= Duration::from_secs(1));
    }
}

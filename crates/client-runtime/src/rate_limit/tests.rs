//! The limiter against simulated vendors, in virtual time: each kind of window, noise, a
//! raised limit. (The benchmark `rate_limit` measures the same against real fake servers.)

use std::collections::VecDeque;

use super::*;

/// How a simulated vendor counts.
#[derive(Clone, Copy)]
enum Kind {
    Sliding,
    /// Fixed windows starting `phase` after the client's first request.
    Fixed {
        phase: Duration,
    },
    /// Fixed windows that announce what is left.
    Announced,
}

struct Vendor {
    kind: Kind,
    limit: u64,
    window: Duration,
    start: Instant,
    accepted: VecDeque<Instant>,
    /// Share of requests refused at random, without a hint.
    noise: f64,
    rng: fastrand::Rng,
}

impl Vendor {
    fn new(kind: Kind, limit: u64, window: Duration, start: Instant) -> Self {
        Vendor {
            kind,
            limit,
            window,
            start,
            accepted: VecDeque::new(),
            noise: 0.0,
            rng: fastrand::Rng::with_seed(7),
        }
    }

    /// When the fixed window holding `at` started.
    fn window_start(&self, at: Instant, phase: Duration) -> Instant {
        let origin = self.start + phase - self.window;
        let since = at.saturating_duration_since(origin).as_secs_f64();
        let index = (since / self.window.as_secs_f64()).floor();
        origin + self.window.mul_f64(index)
    }

    fn admit(&mut self, at: Instant) -> Answer {
        if self.noise > 0.0 && self.rng.f64() < self.noise {
            return Answer::Refused;
        }
        let from = match self.kind {
            Kind::Sliding => at.checked_sub(self.window).unwrap_or(self.start),
            Kind::Fixed { phase } => self.window_start(at, phase),
            Kind::Announced => self.window_start(at, Duration::ZERO),
        };
        let used = self.accepted.iter().filter(|t| **t > from).count() as u64;
        let window_end = from + self.window;
        if used >= self.limit {
            return match self.kind {
                Kind::Announced => Answer::Hinted(window_end - at),
                _ => Answer::Refused,
            };
        }
        self.accepted.push_back(at);
        while self
            .accepted
            .front()
            .is_some_and(|t| at.saturating_duration_since(*t) > self.window * 2)
        {
            self.accepted.pop_front();
        }
        let quota = matches!(self.kind, Kind::Announced).then(|| Quota {
            remaining: self.limit - used - 1,
            reset: Some(window_end - at),
        });
        Answer::Accepted(quota)
    }
}

struct Outcome {
    /// Accepted requests a second over the vendor's allowed rate.
    ratio: f64,
    /// Share of requests refused.
    refused: f64,
    seconds: f64,
}

/// One request at a time, `latency` each, until `requests` are accepted; a refused request
/// is retried after a short random wait, as the transport does.
fn export(limiter: &AdaptiveLimiter, vendor: &mut Vendor, requests: u64) -> Outcome {
    export_jittered(limiter, vendor, requests, Duration::ZERO)
}

/// [`export`] with each request reaching the vendor up to `jitter` after it was sent (a busy
/// network or machine): the vendor counts arrivals.
fn export_jittered(
    limiter: &AdaptiveLimiter,
    vendor: &mut Vendor,
    requests: u64,
    jitter: Duration,
) -> Outcome {
    let latency = Duration::from_millis(5);
    let mut rng = fastrand::Rng::with_seed(3);
    let start = vendor.start;
    let mut now = start;
    let (mut accepted, mut refused) = (0u64, 0u64);
    while accepted < requests {
        let slot = limiter.reserve_at(now);
        let sent = now + slot.wait;
        let answer = vendor.admit(sent + jitter.mul_f64(rng.f64()));
        now = sent + latency;
        limiter.answered_at(slot, answer, now);
        match answer {
            Answer::Accepted(_) => accepted += 1,
            Answer::Refused => {
                refused += 1;
                now += Duration::from_millis(rng.u64(0..50));
            }
            Answer::Hinted(wait) => {
                refused += 1;
                now += wait;
            }
        }
    }
    let seconds = (now - start).as_secs_f64();
    let allowed = vendor.limit as f64 / vendor.window.as_secs_f64();
    let outcome = Outcome {
        ratio: (accepted - 1) as f64 / seconds / allowed,
        refused: refused as f64 / (accepted + refused) as f64,
        seconds,
    };
    println!(
        "{accepted} accepted, {refused} refused ({:.1}%) in {seconds:.0} s: {:.3}x the allowed rate; capacity {:?}",
        outcome.refused * 100.0,
        outcome.ratio,
        limiter.capacity()
    );
    outcome
}

const WINDOW: Duration = Duration::from_secs(60);

/// A vendor allowing 60 a minute, a client configured at 120: 900 requests.
fn half_rate(kind: Kind) -> Outcome {
    let limiter = AdaptiveLimiter::with_window(Some(120), WINDOW);
    let mut vendor = Vendor::new(kind, 60, WINDOW, Instant::now());
    export(&limiter, &mut vendor, 900)
}

#[test]
fn a_sliding_window_is_learned() {
    let outcome = half_rate(Kind::Sliding);
    assert!(outcome.ratio >= 0.9, "{}x", outcome.ratio);
    assert!(outcome.refused < 0.05, "{} refused", outcome.refused);
}

#[test]
fn a_fixed_window_is_learned_whatever_its_phase() {
    for phase in [0.0, 0.1, 0.3, 0.5, 0.8, 0.95] {
        let outcome = half_rate(Kind::Fixed {
            phase: WINDOW.mul_f64(phase),
        });
        assert!(outcome.ratio >= 0.9, "phase {phase}: {}x", outcome.ratio);
        assert!(
            outcome.refused < 0.05,
            "phase {phase}: {} refused",
            outcome.refused
        );
    }
}

#[test]
fn an_announced_quota_is_followed_without_refusals() {
    let outcome = half_rate(Kind::Announced);
    assert!(outcome.ratio >= 0.95, "{}x", outcome.ratio);
    assert!(outcome.refused < 0.01, "{} refused", outcome.refused);
}

#[test]
fn a_matched_client_is_never_refused() {
    let limiter = AdaptiveLimiter::with_window(Some(60), WINDOW);
    let mut vendor = Vendor::new(Kind::Sliding, 60, WINDOW, Instant::now());
    let outcome = export(&limiter, &mut vendor, 300);
    assert_eq!(outcome.refused, 0.0);
    assert!(outcome.ratio >= 0.95, "{}x", outcome.ratio);
}

#[test]
fn random_refusals_do_not_slow_an_export_to_a_crawl() {
    // No limit at the vendor, 6% of requests refused at random (a 30% fault rate of which a
    // fifth are 429s); the client has a ceiling of 600 a minute.
    let limiter = AdaptiveLimiter::with_window(Some(600), WINDOW);
    let mut vendor = Vendor::new(Kind::Sliding, u64::MAX / 2, WINDOW, Instant::now());
    vendor.noise = 0.06;
    let outcome = export(&limiter, &mut vendor, 3000);
    let rate = 3000.0 / outcome.seconds;
    assert!(rate >= 0.8 * 10.0, "{rate} a second of 10");
}

#[test]
fn a_raised_limit_is_found_again() {
    let limiter = AdaptiveLimiter::with_window(Some(600), WINDOW);
    let mut vendor = Vendor::new(Kind::Sliding, 60, WINDOW, Instant::now());
    export(&limiter, &mut vendor, 300);
    vendor.limit = 240;
    let before = limiter.per_minute().unwrap_or(0.0);
    let mut fresh = Vendor::new(Kind::Sliding, 240, WINDOW, vendor.start);
    fresh.accepted = vendor.accepted.clone();
    let outcome = export(&limiter, &mut fresh, 2400);
    let after = limiter.per_minute().unwrap_or(0.0);
    assert!(before <= 62.0, "{before}");
    assert!(after >= 200.0, "{after} a minute");
    assert!(outcome.refused < 0.05, "{}", outcome.refused);
}

#[test]
fn unlimited_until_the_vendor_refuses() {
    let limiter = AdaptiveLimiter::new(None);
    let now = Instant::now();
    for _ in 0..5 {
        let slot = limiter.reserve_at(now);
        assert_eq!(slot.wait, Duration::ZERO);
        limiter.answered_at(slot, Answer::Accepted(None), now);
    }
    assert_eq!(limiter.per_minute(), None);
}

#[test]
fn requests_are_spaced_at_the_ceiling() {
    let limiter = AdaptiveLimiter::new(Some(60));
    let now = Instant::now();
    assert_eq!(limiter.reserve_at(now).wait, Duration::ZERO);
    assert_eq!(limiter.reserve_at(now).wait, Duration::from_secs(1));
}

#[test]
fn a_hint_holds_every_request() {
    let limiter = AdaptiveLimiter::new(None);
    let now = Instant::now();
    let slot = limiter.reserve_at(now);
    limiter.answered_at(slot, Answer::Hinted(Duration::from_secs(5)), now);
    assert_eq!(limiter.reserve_at(now).wait, Duration::from_secs(5));
}

#[test]
fn a_short_export_at_twice_the_vendors_rate() {
    // HelpCrunch's default of 120 a minute against an account allowing 60: 90 pages.
    for kind in [
        Kind::Sliding,
        Kind::Fixed {
            phase: Duration::ZERO,
        },
        Kind::Fixed { phase: WINDOW / 2 },
    ] {
        let limiter = AdaptiveLimiter::with_window(Some(120), WINDOW);
        let mut vendor = Vendor::new(kind, 60, WINDOW, Instant::now());
        let outcome = export(&limiter, &mut vendor, 90);
        assert!(outcome.ratio >= 0.9, "{}x", outcome.ratio);
        assert!(outcome.refused < 0.05, "{} refused", outcome.refused);
    }
}

#[test]
fn a_window_others_filled_is_learned_too_low_then_found() {
    // The vendor's window is full of an earlier run's requests, one a second.
    let limiter = AdaptiveLimiter::with_window(Some(120), WINDOW);
    let start = Instant::now() + WINDOW;
    let mut vendor = Vendor::new(Kind::Sliding, 60, WINDOW, start);
    vendor.accepted = (0..60)
        .map(|i| start - Duration::from_secs(60 - i))
        .collect();
    let outcome = export(&limiter, &mut vendor, 300);
    assert!(outcome.ratio >= 0.7, "{}x", outcome.ratio);
    assert!(outcome.refused < 0.05, "{} refused", outcome.refused);
}

#[test]
fn arrivals_jittered_by_more_than_the_margin_are_refused_seldom() {
    // A vendor allowing 30 a second, requests reaching it up to 30 ms late at random: at
    // the learned capacity, a request sent just after an old one left the window can
    // arrive before the old one's arrival left it.
    let window = Duration::from_secs(1);
    let limiter = AdaptiveLimiter::with_window(None, window);
    let mut vendor = Vendor::new(Kind::Sliding, 30, window, Instant::now());
    let outcome = export_jittered(&limiter, &mut vendor, 1200, Duration::from_millis(30));
    assert!(outcome.ratio >= 0.85, "{}x", outcome.ratio);
    assert!(outcome.refused < 0.02, "{} refused", outcome.refused);
}

//! A client-side rate limiter that learns the vendor's limit over the vendor's own window.
//!
//! Vendors count requests over a window (a minute unless a vendor says otherwise), sliding
//! or fixed, and a 429 without a wait hint means "the window is full". So the limiter keeps
//! a log of the requests the vendor accepted, and at such a 429 learns the vendor's
//! capacity: the requests it accepted in the trailing window at that moment. From then on it
//! sends only while fewer than that were accepted in the trailing window, evenly spaced at
//! capacity / window (a sliding log and a spacing: safe against sliding and fixed windows).
//!
//! - A single 429 may be noise (a gateway's hiccup, an injected fault): a capacity is
//!   learned from three refusals in a row, from a refusal followed by an acceptance that
//!   came only once older requests had left the window, or from refusals that keep coming
//!   between acceptances (then as the rate accepted: the window may hold others' requests).
//!   Acceptances well outnumbering the refusals clear them as noise. A refusal while
//!   probing above the last confirmed capacity confirms that capacity at once.
//! - Each refusal holds every request back briefly, the hold doubling while refusals go on
//!   (a fixed window refuses everything until it starts again).
//! - A new request takes an old one's place a little after the old one left the window (a
//!   hundredth of it), as the vendor counts arrivals. A refusal of the request that fills
//!   the confirmed capacity means arrivals moved by more than that (a busy network or
//!   machine, a short window): the slack doubles, up to a tenth of the window.
//! - After a window without a refusal it probes upwards, by one request, then every window
//!   by twice the last step while no refusal comes, so a raised limit (or one learned too
//!   low, from a window that others' requests had filled) is found again. Each refused
//!   probe doubles the quiet before the next (up to four windows), so that a limit that
//!   has not moved costs a 429 every few windows, not every window.
//! - A vendor that announces its quota (`X-RateLimit-Remaining` / `-Reset` and the
//!   `RateLimit-*` forms) is taken at its word: no more requests than it has left until its
//!   reset. A `Retry-After` holds every request, not only the one that met it.
//!
//! The configured rate stays a ceiling: requests are spaced at most that fast. With no
//! configured rate it lets everything through until the vendor refuses or announces.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::quota_headers::Quota;

/// The window vendors count over unless they say otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);
/// Refusals in a row that teach a first capacity (one may be noise; three rarely are).
const STRIKES_TO_LEARN: u32 = 3;
/// The first hold after a refusal, as a share of the window; it doubles per refusal in a row.
const HOLD_SHARE: f64 = 1.0 / 600.0;
/// The longest hold, as a share of the window.
const MAX_HOLD_SHARE: f64 = 0.25;
/// Slack after an old request leaves the window before a new one takes its place, as a
/// share of the window, at first: the vendor counts arrivals, which latency moves by a
/// little.
const AGE_MARGIN_SHARE: f64 = 1.0 / 100.0;
/// The most that slack grows to: it doubles at each refusal of the confirmed capacity's
/// last request (arrivals moved by more than the slack: a busy network or machine, or a
/// short window), so that such refusals stop, at a cost of up to a tenth of the rate.
const MAX_AGE_MARGIN_SHARE: f64 = 1.0 / 10.0;
/// Quiet (no refusal), in windows, before a step upwards; at most this many times over.
const PROBE_AFTER: f64 = 1.0;
const PROBE_AFTER_MAX: f64 = 4.0;

/// A reserved slot: how long to wait for it, and the ticket to report its answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// How long until the request may go (zero when it is free).
    pub wait: Duration,
    ticket: u64,
}

/// How the vendor answered a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// Anything but a 429: the vendor counted it.
    Accepted(Option<Quota>),
    /// A 429 without a wait hint: the window is full (or the vendor hiccuped).
    Refused,
    /// A 429 (or 503) that says how long to wait: every request waits that long.
    Hinted(Duration),
}

/// The limiter of one client.
pub struct AdaptiveLimiter {
    state: Mutex<State>,
}

struct State {
    /// The configured ceiling, requests a second (`None`: no ceiling).
    ceiling: Option<f64>,
    window: Duration,
    /// Requests sent and not refused, with their tickets, oldest first.
    log: VecDeque<(u64, Instant)>,
    tickets: u64,
    /// Tickets reserved and not yet answered.
    in_flight: u64,
    /// The capacity sent at, requests per window: the last confirmed plus probing steps.
    capacity: Option<u64>,
    /// The capacity the vendor last confirmed with a refusal.
    confirmed: u64,
    /// The last ticket reserved when it was confirmed: refusals of these requests, sent
    /// before, teach nothing new.
    confirmed_ticket: u64,
    /// When the next request may go at the current spacing.
    next: Instant,
    /// No request before this (a refusal's hold, a `Retry-After`, an announced reset).
    hold: Instant,
    refusals_in_row: u32,
    suspect: Option<Suspect>,
    /// The vendor's announced quota: requests left, and when its window starts again.
    announced: Option<(u64, Instant)>,
    /// Whether the vendor ever announced a quota (then it is not probed).
    announces: bool,
    /// The last refusal or capacity change, and the next probe's step.
    quiet_since: Instant,
    probe_step: u64,
    /// Windows of quiet before the next probe: doubles each time a probe is refused (the
    /// limit has not moved), back to one when a probe goes unrefused.
    probe_wait: f64,
    /// The slack after an old request leaves the window, as a share of it.
    age_margin: f64,
}

/// A refusal not yet confirmed as a full window.
struct Suspect {
    /// Requests in the window at the refusals (the fewest).
    count: u64,
    strikes: u32,
    /// Requests accepted since the first refusal.
    accepted: u32,
    /// Only requests reserved after the first refusal are evidence.
    after_ticket: u64,
}

impl AdaptiveLimiter {
    /// A limiter with a ceiling of `per_minute` (`None`: none), counting over the default
    /// window of a minute.
    pub fn new(per_minute: Option<u32>) -> Self {
        Self::with_window(per_minute, DEFAULT_WINDOW)
    }

    /// A limiter with a ceiling of `per_minute` that learns the vendor's limit over `window`.
    pub fn with_window(per_minute: Option<u32>, window: Duration) -> Self {
        let ceiling = per_minute.filter(|r| *r > 0).map(|r| f64::from(r) / 60.0);
        let now = Instant::now();
        AdaptiveLimiter {
            state: Mutex::new(State {
                ceiling,
                window: window.max(Duration::from_millis(10)),
                log: VecDeque::new(),
                tickets: 0,
                in_flight: 0,
                capacity: None,
                confirmed: 0,
                confirmed_ticket: 0,
                next: now,
                hold: now,
                refusals_in_row: 0,
                suspect: None,
                announced: None,
                announces: false,
                quiet_since: now,
                probe_step: 1,
                probe_wait: PROBE_AFTER,
                age_margin: AGE_MARGIN_SHARE,
            }),
        }
    }

    /// Reserves the next slot.
    pub fn reserve(&self) -> Slot {
        self.reserve_at(Instant::now())
    }

    /// Reports how the vendor answered the request of `slot`.
    pub fn answered(&self, slot: Slot, answer: Answer) {
        self.answered_at(slot, answer, Instant::now());
    }

    /// The current rate, requests a minute (`None`: unlimited).
    pub fn per_minute(&self) -> Option<f64> {
        let state = self.state.lock().ok()?;
        state.rate().map(|r| r * 60.0)
    }

    /// The learned capacity: requests per window, and the window.
    pub fn capacity(&self) -> Option<(u64, Duration)> {
        let state = self.state.lock().ok()?;
        state.capacity.map(|c| (c, state.window))
    }

    fn reserve_at(&self, now: Instant) -> Slot {
        let Ok(mut state) = self.state.lock() else {
            return Slot {
                wait: Duration::ZERO,
                ticket: 0,
            };
        };
        state.forget(now);
        let mut at = now.max(state.hold);
        if state.rate().is_some() {
            at = at.max(state.next);
        }
        if let Some(capacity) = state.capacity {
            let capacity = usize::try_from(capacity).unwrap_or(usize::MAX).max(1);
            if let Some(&(_, oldest)) = state
                .log
                .len()
                .checked_sub(capacity)
                .and_then(|i| state.log.get(i))
            {
                at = at.max(oldest + state.window + state.window.mul_f64(state.age_margin));
            }
        }
        if let Some((left, reset)) = state.announced {
            if at >= reset {
                state.announced = None;
            } else if left == 0 {
                at = reset;
                state.announced = None;
            } else {
                state.announced = Some((left - 1, reset));
            }
        }
        if let Some(rate) = state.rate() {
            state.next = at + Duration::from_secs_f64(1.0 / rate);
        }
        state.tickets += 1;
        state.in_flight += 1;
        let ticket = state.tickets;
        state.log.push_back((ticket, at));
        Slot {
            wait: at.saturating_duration_since(now),
            ticket,
        }
    }

    fn answered_at(&self, slot: Slot, answer: Answer, now: Instant) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.in_flight = state.in_flight.saturating_sub(1);
        state.forget(now);
        match answer {
            Answer::Accepted(quota) => state.accepted(slot.ticket, quota, now),
            Answer::Refused => state.refused(slot.ticket, now),
            Answer::Hinted(wait) => {
                state.remove(slot.ticket);
                state.hold = state.hold.max(now + wait);
            }
        }
    }
}

impl State {
    /// The spacing rate, requests a second: the ceiling and the learned capacity's.
    fn rate(&self) -> Option<f64> {
        let learned = self
            .capacity
            .map(|c| c.max(1) as f64 / self.window.as_secs_f64());
        match (self.ceiling, learned) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Drops the requests that left the window.
    fn forget(&mut self, now: Instant) {
        let window = self.window;
        while self
            .log
            .front()
            .is_some_and(|(_, at)| now.saturating_duration_since(*at) > window)
        {
            self.log.pop_front();
        }
    }

    /// Requests the vendor accepted in the trailing window at `now` (the log is pruned to
    /// it, and holds the requests in flight too).
    fn in_window(&self) -> u64 {
        (self.log.len() as u64).saturating_sub(self.in_flight)
    }

    fn remove(&mut self, ticket: u64) {
        if let Some(i) = self.log.iter().rposition(|(t, _)| *t == ticket) {
            self.log.remove(i);
        }
    }

    fn accepted(&mut self, ticket: u64, quota: Option<Quota>, now: Instant) {
        self.refusals_in_row = 0;
        let count = self.in_window();
        if let Some(suspect) = self.suspect.as_mut()
            && ticket > suspect.after_ticket
        {
            suspect.accepted += 1;
            if suspect.accepted > suspect.strikes {
                // More acceptances than refusals: noise, not the window.
                self.suspect = None;
            }
        }
        if let Some(capacity) = self.capacity
            && count > capacity
        {
            // The vendor accepted more than the capacity: it is at least that.
            self.capacity = Some(count);
        }
        if let Some(quota) = quota {
            self.announces = true;
            let reset = now + quota.reset.unwrap_or(self.window);
            let left = quota.remaining.saturating_sub(self.in_flight);
            self.announced = Some((left, reset));
        }
        self.probe_upwards(now);
    }

    fn refused(&mut self, ticket: u64, now: Instant) {
        self.remove(ticket);
        if ticket <= self.confirmed_ticket {
            // Sent before the capacity was confirmed: already accounted for.
            return;
        }
        let count = self.in_window();
        self.refusals_in_row = self.refusals_in_row.saturating_add(1);
        let hold = self
            .window
            .mul_f64(HOLD_SHARE * 2f64.powi(self.refusals_in_row.min(16) as i32 - 1))
            .min(self.window.mul_f64(MAX_HOLD_SHARE));
        self.hold = self.hold.max(now + hold);
        self.quiet_since = now;
        self.probe_step = 1;
        // Refused as the confirmed capacity's last request or above it (probing): that
        // capacity holds.
        let near = self.capacity.is_some() && count + 1 >= self.confirmed;
        let oldest = self.log.front().map(|(_, at)| *at);
        let window = self.window;
        let suspect = self.suspect.get_or_insert(Suspect {
            count,
            strikes: 0,
            accepted: 0,
            after_ticket: self.tickets,
        });
        suspect.count = suspect.count.min(count);
        suspect.strikes += 1;
        if near {
            self.probe_wait = (self.probe_wait * 2.0).min(PROBE_AFTER_MAX);
            let learned = if count < self.confirmed && self.age_margin < MAX_AGE_MARGIN_SHARE {
                // Refused at the confirmed capacity: it reached the vendor while the request
                // that had left our window had not left the vendor's (arrivals moved by
                // more than the slack). The slack doubles; once it is at its widest, a limit
                // lowered by one is learned.
                self.age_margin = (self.age_margin * 2.0).min(MAX_AGE_MARGIN_SHARE);
                self.confirmed
            } else {
                count
            };
            self.learn(learned, now);
        } else if suspect.strikes >= STRIKES_TO_LEARN {
            let learned = if suspect.accepted == 0 {
                // Refused in a row: the window is full at this count.
                suspect.count
            } else {
                // Refused between acceptances: the vendor accepts about as fast as its window
                // frees, which may hold requests not ours (an earlier run's): learn the rate
                // accepted so far, over the part of the window our requests cover.
                let covered = oldest.map_or(window, |t| now.saturating_duration_since(t));
                let share = covered.as_secs_f64() / window.as_secs_f64();
                let rate = count as f64 / share.clamp(0.05, 1.0);
                (rate.round() as u64).max(suspect.count)
            };
            self.learn(learned, now);
        }
    }

    fn learn(&mut self, count: u64, now: Instant) {
        let capacity = count.max(1);
        self.suspect = None;
        self.quiet_since = now;
        self.probe_step = 1;
        if self.capacity != Some(capacity) {
            tracing::info!(
                requests = capacity,
                window_s = self.window.as_secs_f64(),
                "learned the vendor's rate limit"
            );
        }
        self.capacity = Some(capacity);
        self.confirmed = capacity;
        self.confirmed_ticket = self.tickets;
    }

    /// After half a window of quiet, one more request a window, then twice the last step.
    fn probe_upwards(&mut self, now: Instant) {
        let Some(capacity) = self.capacity else {
            return;
        };
        if self.announces || self.suspect.is_some() {
            return;
        }
        let quiet = now.saturating_duration_since(self.quiet_since);
        if quiet < self.window.mul_f64(self.probe_wait) {
            return;
        }
        // Above the ceiling a higher capacity changes nothing.
        if let Some(ceiling) = self.ceiling
            && capacity as f64 >= ceiling * self.window.as_secs_f64()
        {
            return;
        }
        if self.probe_step > 1 {
            // The last step went unrefused: the limit moved, keep probing every window.
            self.probe_wait = PROBE_AFTER;
        }
        self.capacity = Some(capacity.saturating_add(self.probe_step));
        self.probe_step = self.probe_step.saturating_mul(2);
        self.quiet_since = now;
    }
}

#[cfg(test)]
mod tests;

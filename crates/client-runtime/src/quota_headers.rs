//! The quota a vendor announces on its responses: `X-RateLimit-Remaining` /
//! `X-RateLimit-Reset`, their IETF-draft forms `RateLimit-Remaining` / `RateLimit-Reset`,
//! and the draft's later single header `RateLimit: limit=10, remaining=0, reset=30` (also
//! written `r=0;t=30`).

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// What is left of the vendor's window and when it starts again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Requests the vendor will still accept in its current window.
    pub remaining: u64,
    /// How long until the window starts again (`None`: not announced).
    pub reset: Option<Duration>,
}

/// The announced quota, if the response carries one.
pub fn announced(headers: &HeaderMap, now: SystemTime) -> Option<Quota> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let pair = |remaining: &str, reset: &str| {
        let remaining = header(remaining)?.parse::<u64>().ok()?;
        let reset = header(reset).and_then(|r| reset_after(r, now));
        Some(Quota { remaining, reset })
    };
    pair("x-ratelimit-remaining", "x-ratelimit-reset")
        .or_else(|| pair("ratelimit-remaining", "ratelimit-reset"))
        .or_else(|| combined(header("ratelimit")?, now))
}

/// A reset given as delta seconds (fractions allowed), or as a unix time when it is that
/// large.
pub(crate) fn reset_after(value: &str, now: SystemTime) -> Option<Duration> {
    let seconds = value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)?;
    // Unix times are ~1.7e9; a delay that large would be 50 years.
    const UNIX_TIME_FLOOR: f64 = 1_000_000_000.0;
    if seconds >= UNIX_TIME_FLOOR {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs_f64(seconds);
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    } else {
        Some(Duration::from_secs_f64(seconds))
    }
}

/// `RateLimit: limit=10, remaining=0, reset=30` or the structured form `"p";r=0;t=30`.
fn combined(value: &str, now: SystemTime) -> Option<Quota> {
    let mut remaining = None;
    let mut reset = None;
    for item in value.split([',', ';']) {
        let Some((key, val)) = item.split_once('=') else {
            continue;
        };
        match key.trim() {
            "remaining" | "r" => remaining = val.trim().parse::<u64>().ok(),
            "reset" | "t" => reset = reset_after(val.trim(), now),
            _ => {}
        }
    }
    Some(Quota {
        remaining: remaining?,
        reset,
    })
}

/// Headers from name-value pairs, for tests.
#[cfg(test)]
pub(crate) fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            *name,
            reqwest::header::HeaderValue::from_str(value).expect("valid"),
        );
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_the_announced_quota() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let quota = |remaining, reset: f64| {
            Some(Quota {
                remaining,
                reset: Some(Duration::from_secs_f64(reset)),
            })
        };
        let x = headers(&[("x-ratelimit-remaining", "3"), ("x-ratelimit-reset", "12")]);
        assert_eq!(announced(&x, now), quota(3, 12.0));
        let unix = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000030"),
        ]);
        assert_eq!(announced(&unix, now), quota(0, 30.0));
        let draft = headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "0.25")]);
        assert_eq!(announced(&draft, now), quota(0, 0.25));
        let single = headers(&[("ratelimit", "limit=10, remaining=4, reset=7")]);
        assert_eq!(announced(&single, now), quota(4, 7.0));
        let structured = headers(&[("ratelimit", "\"default\";r=0;t=9")]);
        assert_eq!(announced(&structured, now), quota(0, 9.0));
        let no_reset = headers(&[("x-ratelimit-remaining", "5")]);
        assert_eq!(
            announced(&no_reset, now),
            Some(Quota {
                remaining: 5,
                reset: None
            })
        );
        for bad in [
            headers(&[]),
            headers(&[("x-ratelimit-remaining", "lots")]),
            headers(&[("ratelimit", "limit=10")]),
        ] {
            assert_eq!(announced(&bad, now), None);
        }
        assert_eq!(reset_after("-1", now), None);
        assert_eq!(reset_after("NaN", now), None);
    }
}

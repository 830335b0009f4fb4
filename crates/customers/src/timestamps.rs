//! Reading the vendors' timestamp forms into UTC. Every function returns `None` for a value
//! it cannot interpret: the caller leaves the common field empty and the value stays in
//! `raw`. Nothing is guessed.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// RFC 3339, with or without fractional seconds, any offset.
pub(crate) fn rfc3339(value: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value?.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Unix seconds given as a string of digits (HelpCrunch's `"1603885746"`).
pub(crate) fn unix_seconds_text(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    unix_seconds(value.parse().ok()?)
}

/// Unix seconds as an integer.
pub(crate) fn unix_seconds(value: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(value, 0)
}

/// `YYYY-MM-DD HH:MM:SS` without an offset, read in `zone` (CareCloud's tenant time).
///
/// A local time that does not exist or exists twice in `zone` (daylight-saving changes) is
/// not interpreted: picking one of two instants would be a guess.
pub(crate) fn local_datetime(value: Option<&str>, zone: Tz) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value?.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    zone.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc))
    }

    #[test]
    fn rfc3339_with_and_without_fractions_and_offsets() {
        assert_eq!(
            rfc3339(Some("2024-01-01T00:00:00Z")),
            utc("2024-01-01T00:00:00Z")
        );
        assert_eq!(
            rfc3339(Some("2024-04-02T07:06:03.910Z")),
            utc("2024-04-02T07:06:03.910Z")
        );
        assert_eq!(
            rfc3339(Some("2024-04-02T09:06:03+02:00")),
            utc("2024-04-02T07:06:03Z")
        );
        assert_eq!(rfc3339(Some("2024-04-02")), None);
        assert_eq!(rfc3339(Some("yesterday")), None);
        assert_eq!(rfc3339(None), None);
    }

    #[test]
    fn unix_seconds_as_text() {
        assert_eq!(unix_seconds_text("1603885746"), utc("2020-10-28T11:49:06Z"));
        assert_eq!(unix_seconds_text("-5"), None);
        assert_eq!(unix_seconds_text("16038857.46"), None);
        assert_eq!(unix_seconds_text(""), None);
        assert_eq!(unix_seconds_text("99999999999999999999999"), None);
        assert_eq!(unix_seconds(i64::MAX), None);
    }

    #[test]
    fn local_time_in_the_tenant_zone() {
        let prague: Tz = "Europe/Prague".parse().expect("zone");
        assert_eq!(
            local_datetime(Some("2024-02-01 08:30:00"), prague),
            utc("2024-02-01T07:30:00Z")
        );
        assert_eq!(
            local_datetime(Some("2024-07-01 08:30:00"), prague),
            utc("2024-07-01T06:30:00Z")
        );
        assert_eq!(
            local_datetime(Some("2024-02-01 08:30:00"), Tz::UTC),
            utc("2024-02-01T08:30:00Z")
        );
        // 02:30 on the spring-forward night does not exist in Prague.
        assert_eq!(local_datetime(Some("2024-03-31 02:30:00"), prague), None);
        // 02:30 on the fall-back night exists twice.
        assert_eq!(local_datetime(Some("2024-10-27 02:30:00"), prague), None);
        assert_eq!(local_datetime(Some("2024-02-01T08:30:00"), prague), None);
    }
}

//! Settings that conversions need from the user.

use chrono_tz::Tz;

/// How vendor records are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvertOptions {
    /// The tenant's time zone, for vendors whose timestamps carry no offset (CareCloud's
    /// `YYYY-MM-DD HH:MM:SS`, and Gleantap's `created_date` in that form). Default: UTC.
    pub local_time_zone: Tz,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            local_time_zone: Tz::UTC,
        }
    }
}

impl ConvertOptions {
    /// Options with the tenant's IANA time zone, e.g. `"Europe/Prague"`.
    pub fn with_local_time_zone(mut self, zone: &str) -> Result<Self, UnknownTimeZone> {
        self.local_time_zone = zone
            .trim()
            .parse()
            .map_err(|_| UnknownTimeZone(zone.to_owned()))?;
        Ok(self)
    }
}

/// A time zone name that is not in the IANA database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone `{0}` (expected an IANA name such as Europe/Prague)")]
pub struct UnknownTimeZone(pub String);

//! Settings that conversions need from the user.

use chrono_tz::Tz;

/// How vendor records are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvertOptions {
    /// The time zone of the CareCloud tenant, whose timestamps (`YYYY-MM-DD HH:MM:SS`) carry
    /// no offset. Default: UTC.
    pub carecloud_time_zone: Tz,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            carecloud_time_zone: Tz::UTC,
        }
    }
}

impl ConvertOptions {
    /// Options with the CareCloud tenant's IANA time zone, e.g. `"Europe/Prague"`.
    pub fn with_carecloud_time_zone(mut self, zone: &str) -> Result<Self, UnknownTimeZone> {
        self.carecloud_time_zone = zone
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

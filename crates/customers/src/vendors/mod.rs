//! The vendor registry: the one place outside the vendors' own modules that names them.
//!
//! Each vendor's module holds everything the facade knows about it: its page size and rate
//! limit, how its list ends, its row of the filter table, how a page request and a lookup
//! become calls of its generated client, how to read its error bodies and wait hints, its
//! credentials, and the conversion of its record to [`Customer`](crate::Customer). Adding a
//! vendor means a module here, a variant of [`Vendor`] and of [`Credentials`], and one arm
//! in `Vendor::api`.

pub mod botpenguin;
pub mod carecloud;
pub mod gleantap;
pub mod helpcrunch;
pub mod hoko;

use std::fmt;

use client_runtime::Secret;
use serde::{Deserialize, Serialize};

use crate::vendor_api::VendorApi;

pub use carecloud::CareCloudAuth;

/// What the facade does with one property of a vendor's record schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldUse {
    /// Feeds these common fields of [`Customer`](crate::Customer).
    Mapped(&'static [&'static str]),
    /// Kept only in [`Customer::raw`](crate::Customer::raw), deliberately.
    RawOnly,
}

/// The headers (lower case) `vendor`'s credentials travel in; never a default header.
pub fn credential_headers(vendor: Vendor) -> &'static [&'static str] {
    vendor.api().credential_headers()
}

/// Every property of `vendor`'s record schema (`a.b` nested, `a[].b` in arrays, `a.*` for
/// everything under `a`) and what becomes of it. A property the spec gains is in neither
/// list until someone decides, and a test fails meanwhile.
pub fn record_fields(vendor: Vendor) -> &'static [(&'static str, FieldUse)] {
    vendor.api().record_fields()
}

/// The vendor a record comes from. Serialized in lowercase (`"helpcrunch"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Hoko (`hoko-client`).
    Hoko,
    /// CareCloud CRM (`carecloud-client`).
    CareCloud,
    /// BotPenguin partner API (`botpenguin-client`).
    BotPenguin,
    /// Gleantap (`gleantap-client`).
    Gleantap,
    /// HelpCrunch (`helpcrunch-client`).
    HelpCrunch,
}

impl Vendor {
    /// Every vendor, in a fixed order.
    pub const ALL: [Vendor; 5] = [
        Vendor::Hoko,
        Vendor::CareCloud,
        Vendor::BotPenguin,
        Vendor::Gleantap,
        Vendor::HelpCrunch,
    ];

    /// The lowercase name used in serialized records and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Hoko => "hoko",
            Vendor::CareCloud => "carecloud",
            Vendor::BotPenguin => "botpenguin",
            Vendor::Gleantap => "gleantap",
            Vendor::HelpCrunch => "helpcrunch",
        }
    }

    /// How coarse the vendor's server-side change-time filter is: a listing asked for
    /// customers changed since `t` must ask from `t` minus this much to miss nothing (zero
    /// for an exact filter, or where the vendor has none; see [`crate::query::support`]).
    pub fn updated_since_granularity(self) -> std::time::Duration {
        self.api().updated_since_granularity()
    }

    /// Everything the facade knows about this vendor.
    pub(crate) fn api(self) -> &'static dyn VendorApi {
        match self {
            Vendor::Hoko => &hoko::Hoko,
            Vendor::CareCloud => &carecloud::CareCloud,
            Vendor::BotPenguin => &botpenguin::BotPenguin,
            Vendor::Gleantap => &gleantap::Gleantap,
            Vendor::HelpCrunch => &helpcrunch::HelpCrunch,
        }
    }
}

/// The credentials of one vendor, which also choose the vendor. `Debug` never shows a
/// secret.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Hoko API key (scope `customersRead`).
    Hoko {
        /// The API key.
        api_key: Secret,
    },
    /// CareCloud token or login. The tenant's base URL must be set on the builder.
    CareCloud(CareCloudAuth),
    /// BotPenguin agency token.
    BotPenguin {
        /// The agency admin's token.
        token: Secret,
    },
    /// Gleantap keys and the app whose members are listed.
    Gleantap {
        /// `X-API-KEY`.
        api_key: Secret,
        /// `X-SECRET-KEY`.
        secret_key: Secret,
        /// The `app_id` sent in each request body.
        app_id: String,
    },
    /// HelpCrunch API key.
    HelpCrunch {
        /// The API key.
        api_key: Secret,
    },
}

impl Credentials {
    /// The vendor these credentials are for.
    pub fn vendor(&self) -> Vendor {
        match self {
            Credentials::Hoko { .. } => Vendor::Hoko,
            Credentials::CareCloud(_) => Vendor::CareCloud,
            Credentials::BotPenguin { .. } => Vendor::BotPenguin,
            Credentials::Gleantap { .. } => Vendor::Gleantap,
            Credentials::HelpCrunch { .. } => Vendor::HelpCrunch,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vendor::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownVendor(s.to_owned()))
    }
}

/// A vendor name that is not one of [`Vendor::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown vendor `{0}` (expected one of: {names})", names = names())]
pub struct UnknownVendor(pub String);

fn names() -> String {
    Vendor::ALL.map(Vendor::as_str).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors_parse_from_their_names() {
        for vendor in Vendor::ALL {
            assert_eq!(vendor.as_str().parse::<Vendor>(), Ok(vendor));
            assert_eq!(
                serde_json::to_value(vendor).ok(),
                Some(vendor.as_str().into())
            );
        }
        let err = "salesforce".parse::<Vendor>().expect_err("unknown");
        assert!(err.to_string().contains("hoko, carecloud"), "{err}");
    }
}

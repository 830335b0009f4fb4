//! The common customer model.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
#[error("unknown vendor `{0}` (expected hoko, carecloud, botpenguin, gleantap or helpcrunch)")]
pub struct UnknownVendor(pub String);

/// A customer's status: an open set. Values a vendor sends that have no common meaning are
/// kept as [`Status::Other`] with the vendor's own text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// The customer is active.
    Active,
    /// The customer exists but is inactive.
    Inactive,
    /// The customer was deleted.
    Deleted,
    /// The customer is blocked.
    Blocked,
    /// Any other vendor value, verbatim.
    Other(String),
}

impl Status {
    /// The common name (`"active"`, …) or the vendor's own value for [`Status::Other`].
    pub fn as_str(&self) -> &str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Deleted => "deleted",
            Status::Blocked => "blocked",
            Status::Other(value) => value,
        }
    }

    /// Reads a status word case-insensitively; anything unknown becomes [`Status::Other`].
    pub fn from_vendor_text(value: &str) -> Status {
        match value.trim().to_ascii_lowercase().as_str() {
            "active" => Status::Active,
            "inactive" => Status::Inactive,
            "deleted" => Status::Deleted,
            "blocked" => Status::Blocked,
            _ => Status::Other(value.to_owned()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "active" => Status::Active,
            "inactive" => Status::Inactive,
            "deleted" => Status::Deleted,
            "blocked" => Status::Blocked,
            _ => Status::Other(text),
        })
    }
}

/// One customer of any vendor, in common terms. Where each field comes from, vendor by
/// vendor, is in the table of the crate docs. A field a vendor does not report, or reports
/// in a form that cannot be interpreted, is `None`; the vendor's record is always in
/// [`Customer::raw`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// The vendor the record comes from.
    pub vendor: Vendor,
    /// The vendor's own id, as text (HelpCrunch's `542335` becomes `"542335"`).
    pub id: String,
    /// The id the customer has in the user's own system.
    pub external_id: Option<String>,
    /// Display name; first and last name joined where the vendor splits them.
    pub name: Option<String>,
    /// First name, where the vendor reports it separately.
    pub first_name: Option<String>,
    /// Last name, where the vendor reports it separately.
    pub last_name: Option<String>,
    /// Email address, trimmed.
    pub email: Option<String>,
    /// Phone number, as the vendor sent it.
    pub phone: Option<String>,
    /// Status, an open set.
    pub status: Option<Status>,
    /// When the customer was created (UTC; RFC 3339 when serialized).
    pub created_at: Option<DateTime<Utc>>,
    /// When the record last changed (UTC).
    pub updated_at: Option<DateTime<Utc>>,
    /// When the customer was last seen or last logged in (UTC).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Whether the customer opted out of email.
    pub email_opt_out: Option<bool>,
    /// Whether the customer opted out of SMS.
    pub sms_opt_out: Option<bool>,
    /// Tags or labels.
    pub tags: Vec<String>,
    /// Language or locale code (`cs`, `uk`, …).
    pub language: Option<String>,
    /// URL of the customer's picture.
    pub avatar_url: Option<String>,
    /// The vendor's record exactly as received, so nothing the vendor sent is lost.
    pub raw: serde_json::Value,
}

impl Customer {
    /// A customer with only its vendor, id and raw record set.
    pub fn new(vendor: Vendor, id: String, raw: serde_json::Value) -> Self {
        Customer {
            vendor,
            id,
            external_id: None,
            name: None,
            first_name: None,
            last_name: None,
            email: None,
            phone: None,
            status: None,
            created_at: None,
            updated_at: None,
            last_seen_at: None,
            email_opt_out: None,
            sms_opt_out: None,
            tags: Vec::new(),
            language: None,
            avatar_url: None,
            raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_status_values_are_kept_verbatim() {
        assert_eq!(Status::from_vendor_text("ACTIVE"), Status::Active);
        let other = Status::from_vendor_text("PENDING_REVIEW");
        assert_eq!(other, Status::Other("PENDING_REVIEW".to_owned()));
        assert_eq!(
            serde_json::to_value(&other).ok(),
            Some("PENDING_REVIEW".into())
        );
        let back: Status = serde_json::from_value("PENDING_REVIEW".into()).expect("decodes");
        assert_eq!(back, other);
    }

    #[test]
    fn vendors_parse_from_their_names() {
        for vendor in Vendor::ALL {
            assert_eq!(vendor.as_str().parse::<Vendor>(), Ok(vendor));
            assert_eq!(
                serde_json::to_value(vendor).ok(),
                Some(vendor.as_str().into())
            );
        }
        assert!("salesforce".parse::<Vendor>().is_err());
    }
}

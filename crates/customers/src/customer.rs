//! The common customer model.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Raw, Vendor};

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
    pub raw: Raw,
}

impl Customer {
    /// A customer with only its vendor, id and raw record set.
    pub fn new(vendor: Vendor, id: String, raw: Raw) -> Self {
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

impl Customer {
    /// The vendor's record decoded into its generated type: each vendor module names it
    /// `Native` (`customers::vendors::hoko::Native` is `hoko_client::types::Customer`). It
    /// is decoded from [`Customer::raw`], so every field the spec declares is there, typed;
    /// a record that drifted from the spec fails here while its common fields still hold
    /// what could be read.
    ///
    /// ```
    /// use customers::vendors::helpcrunch;
    /// use customers::{ConvertOptions, Vendor, decode_page};
    ///
    /// let body = br#"{"data": [{"id": 542335, "name": "John Doe",
    ///     "tags": [{"name": "vip", "color": "red"}]}], "total": 1}"#;
    /// let page = decode_page(Vendor::HelpCrunch, body, &ConvertOptions::default())?;
    /// let native: helpcrunch::Native = page.customers[0].native()?;
    /// assert_eq!(native.id, 542335);
    /// // A property with no common field, typed.
    /// let tags = native.tags.unwrap_or_default();
    /// assert_eq!(tags[0].color.as_deref(), Some("red"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn native<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.raw.get())
    }

    /// Writes this customer as one JSON object, `raw` verbatim as the vendor sent it (what
    /// `serde_json::to_writer` gives, without parsing `raw` again).
    pub fn write_json<W: std::io::Write>(&self, mut out: W) -> serde_json::Result<()> {
        let mut buffer = Vec::with_capacity(self.raw.get().len() + 512);
        self.append_json(&mut buffer);
        out.write_all(&buffer).map_err(serde_json::Error::io)
    }

    /// Appends this customer as one JSON object to `out`, as [`Customer::write_json`] writes
    /// it: for writers that reuse one buffer across many customers.
    pub fn append_json(&self, out: &mut Vec<u8>) {
        crate::json_writer::write_customer(self, out);
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
    fn write_json_equals_serde_and_keeps_raw_verbatim() {
        let raw = Raw::from_value(&serde_json::json!({"id": "a", "n": [1, 2]}));
        let mut customer = Customer::new(Vendor::Hoko, "a".to_owned(), raw);
        customer.tags = vec!["x".to_owned()];
        customer.status = Some(Status::Other("odd".to_owned()));
        let mut fast = Vec::new();
        customer.write_json(&mut fast).expect("writes");
        let slow = serde_json::to_vec(&customer).expect("serializes");
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&slow)
        );
        let back: Customer = serde_json::from_slice(&fast).expect("reads back");
        assert_eq!(back, customer);
    }
}

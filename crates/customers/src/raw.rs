//! A vendor's record exactly as it was sent.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// The JSON text of one vendor record, byte for byte as received (key order, number forms
/// and unknown fields included). It is kept as text, not parsed: [`Raw::to_value`] parses
/// it on demand.
///
/// Always valid JSON: it is only made from text that serde_json parsed or wrote. It is held
/// as plain text rather than a `RawValue` because making one validates the text again, and
/// that second pass over each record was a sixth of a Hoko export's work.
#[derive(Clone)]
pub struct Raw(Box<str>);

impl Raw {
    /// The JSON text as received.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// The record as a [`RawValue`], for writing it out verbatim with serde_json.
    pub fn to_raw_value(&self) -> Box<RawValue> {
        serde_json::value::RawValue::from_string(self.0.to_string())
            .unwrap_or_else(|_| RawValue::NULL.to_owned())
    }

    /// The record parsed into a [`serde_json::Value`].
    pub fn to_value(&self) -> serde_json::Value {
        // The text was valid JSON when it was captured, so this cannot fail; `Null` keeps
        // the signature total all the same.
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }

    /// The JSON text of `value`.
    pub fn from_value(value: &serde_json::Value) -> Raw {
        match serde_json::to_string(value) {
            Ok(text) => Raw(text.into_boxed_str()),
            // A `Value` always serializes; fall back to `null` rather than panic.
            Err(_) => Raw::null(),
        }
    }

    /// `null`.
    pub fn null() -> Raw {
        Raw("null".into())
    }

    pub(crate) fn from_raw(raw: &RawValue) -> Raw {
        Raw(raw.get().into())
    }

    /// `text`, which serde_json has just parsed whole: one value, nothing around it.
    pub(crate) fn from_parsed(text: &str) -> Raw {
        Raw(text.into())
    }
}

impl From<serde_json::Value> for Raw {
    fn from(value: serde_json::Value) -> Self {
        Raw::from_value(&value)
    }
}

/// Equal when the JSON values are (the same text, or the same value written differently).
impl PartialEq for Raw {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get() || self.to_value() == other.to_value()
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl fmt::Display for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

/// Serializes as the JSON value it holds, in any format (YAML snapshots, CSV cells through
/// serde). [`Customer::write_json`](crate::Customer::write_json) writes it verbatim instead.
impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Raw::from_value(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_text_and_parses_on_demand() {
        let raw: Box<RawValue> =
            serde_json::from_str(r#"{"b": 1.50, "a": [true]}"#).expect("valid JSON");
        let raw = Raw::from_raw(&raw);
        assert_eq!(raw.get(), r#"{"b": 1.50, "a": [true]}"#);
        assert_eq!(raw.to_value(), serde_json::json!({"b": 1.5, "a": [true]}));
        let yaml = serde_json::to_string(&raw).expect("serializes");
        assert_eq!(yaml, r#"{"b":1.5,"a":[true]}"#);
        assert_eq!(raw.to_raw_value().get(), raw.get());
    }
}

//! Drift: values a vendor sent that do not match its spec. A drifted value never fails its
//! record or its page; it is recorded here, its common field stays empty, and `raw` keeps it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, Raw, Vendor};

/// One JSON path at which a vendor's values did not match its spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// The vendor.
    pub vendor: Vendor,
    /// JSON path with `[*]` for array positions, e.g. `$.data.customers[*].doi_email`.
    pub path: String,
    /// What the spec (through the generated type) expects, e.g. `a boolean`.
    pub expected: String,
    /// The JSON kind observed: `string`, `number`, `boolean`, `null`, `object`, `array`,
    /// or `missing`.
    pub observed: String,
    /// How many values drifted at this path.
    pub count: u64,
    /// The id of the first record it was seen in, when that id could be read.
    pub first_record_id: Option<String>,
    /// The first value seen (`null` when it was missing).
    pub example: serde_json::Value,
}

/// A record that could not be listed because its id could not be read; kept whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnreadableRecord {
    /// The vendor.
    pub vendor: Vendor,
    /// Why its id could not be read.
    pub reason: String,
    /// The record as the vendor sent it.
    pub raw: Raw,
}

/// Every drift seen, one entry per (vendor, path), plus the records that could not be
/// listed at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// One entry per vendor and path, in path order.
    pub drifts: Vec<Drift>,
    /// Records whose id could not be read, as the vendor sent them.
    pub unreadable: Vec<UnreadableRecord>,
}

impl DriftReport {
    /// Whether nothing drifted.
    pub fn is_empty(&self) -> bool {
        self.drifts.is_empty() && self.unreadable.is_empty()
    }

    /// Adds one drifted value (or every value of `other`) to the entry of its path.
    pub(crate) fn add(&mut self, drift: Drift) {
        match self
            .drifts
            .iter_mut()
            .find(|d| d.vendor == drift.vendor && d.path == drift.path)
        {
            Some(entry) => entry.count += drift.count,
            None => {
                let at = self
                    .drifts
                    .partition_point(|d| (d.vendor, &d.path) < (drift.vendor, &drift.path));
                self.drifts.insert(at, drift);
            }
        }
    }

    /// Adds everything of `other`.
    pub(crate) fn merge(&mut self, other: DriftReport) {
        for drift in other.drifts {
            self.add(drift);
        }
        self.unreadable.extend(other.unreadable);
    }

    /// The error strict mode ([`ClientBuilder::strict`](crate::ClientBuilder::strict))
    /// raises for this report: its first drift, naming the path; `None` when nothing drifted.
    pub fn strict_error(&self) -> Option<Error> {
        if let Some(drift) = self.drifts.first() {
            return Some(
                Error::new(
                    drift.vendor,
                    ErrorKind::Decode {
                        path: drift.path.clone(),
                    },
                )
                .with_message(format!(
                    "strict mode: expected {}, found {}{}",
                    drift.expected,
                    drift.observed,
                    drift
                        .first_record_id
                        .as_ref()
                        .map(|id| format!(" (record `{id}`)"))
                        .unwrap_or_default()
                )),
            );
        }
        self.unreadable.first().map(|record| {
            Error::new(
                record.vendor,
                ErrorKind::Decode {
                    path: "$".to_owned(),
                },
            )
            .with_message(format!("strict mode: {}", record.reason))
        })
    }

    /// One line per path: `vendor path: N values, expected X, found Y (first record R)`.
    pub fn summary(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .drifts
            .iter()
            .map(|d| {
                format!(
                    "{} {}: {} value{}, expected {}, found {}{}",
                    d.vendor,
                    d.path,
                    d.count,
                    if d.count == 1 { "" } else { "s" },
                    d.expected,
                    d.observed,
                    d.first_record_id
                        .as_ref()
                        .map(|id| format!(" (first in record `{id}`)"))
                        .unwrap_or_default()
                )
            })
            .collect();
        let unreadable: BTreeMap<Vendor, usize> =
            self.unreadable.iter().fold(BTreeMap::new(), |mut m, r| {
                *m.entry(r.vendor).or_default() += 1;
                m
            });
        for (vendor, count) in unreadable {
            lines.push(format!(
                "{vendor}: {count} record{} without a readable id (kept whole in the drift report)",
                if count == 1 { "" } else { "s" }
            ));
        }
        lines
    }
}

/// The JSON kind of `value`, as drift reports name it.
pub(crate) fn kind(value: Option<&serde_json::Value>) -> &'static str {
    use serde_json::Value;
    match value {
        None => "missing",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drift(path: &str, count: u64) -> Drift {
        Drift {
            vendor: Vendor::Hoko,
            path: path.to_owned(),
            expected: "a string".to_owned(),
            observed: "number".to_owned(),
            count,
            first_record_id: Some("r1".to_owned()),
            example: serde_json::json!(5),
        }
    }

    #[test]
    fn entries_of_one_path_add_up_and_stay_sorted() {
        let mut report = DriftReport::default();
        report.add(drift("$[*].name", 1));
        report.add(drift("$[*].email", 2));
        report.add(drift("$[*].name", 3));
        let paths: Vec<_> = report
            .drifts
            .iter()
            .map(|d| (&d.path[..], d.count))
            .collect();
        assert_eq!(paths, [("$[*].email", 2), ("$[*].name", 4)]);
        assert_eq!(
            report.summary()[1],
            "hoko $[*].name: 4 values, expected a string, found number (first in record `r1`)"
        );
        let err = report.strict_error().expect("drifted");
        assert_eq!(
            err.kind(),
            &ErrorKind::Decode {
                path: "$[*].email".to_owned()
            }
        );
    }
}

//! Decoding a vendor's response body into typed records, keeping each record's raw JSON.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Vendor;

/// A response body that does not have the shape the vendor's spec describes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{vendor}: cannot decode the response at {path}: {message}")]
pub struct DecodeError {
    /// The vendor whose response it was.
    pub vendor: Vendor,
    /// JSON path of the value that failed, e.g. `$.data.customers[3].id`.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
}

/// The records of the array at `list_pointer` (a JSON pointer; `""` for a bare array), each
/// decoded as `T` and paired with its raw JSON.
pub(crate) fn records<T: DeserializeOwned>(
    vendor: Vendor,
    body: &Value,
    list_pointer: &str,
) -> Result<Vec<(T, Value)>, DecodeError> {
    let list_path = json_path(list_pointer);
    let items = body
        .pointer(list_pointer)
        .and_then(Value::as_array)
        .ok_or_else(|| DecodeError {
            vendor,
            path: list_path.clone(),
            message: "expected an array of customers".to_owned(),
        })?;
    items
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            let record = record(vendor, raw, &format!("{list_path}[{index}]"))?;
            Ok((record, raw.clone()))
        })
        .collect()
}

/// One record decoded as `T`; errors name the JSON path below `path`.
pub(crate) fn record<T: DeserializeOwned>(
    vendor: Vendor,
    raw: &Value,
    path: &str,
) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(raw).map_err(|err| {
        let inner = err.path().to_string();
        DecodeError {
            vendor,
            path: if inner == "." {
                path.to_owned()
            } else {
                format!("{path}.{inner}")
            },
            message: err.into_inner().to_string(),
        }
    })
}

/// `/data/customers` → `$.data.customers`.
fn json_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for segment in pointer.split('/').skip(1) {
        path.push('.');
        path.push_str(&segment.replace("~1", "/").replace("~0", "~"));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug)]
    struct Item {
        #[allow(dead_code)]
        id: u32,
    }

    #[test]
    fn errors_name_the_json_path_of_the_bad_value() {
        let body = json!({"data": {"customers": [{"id": 1}, {"id": "x"}]}});
        let err = records::<Item>(Vendor::CareCloud, &body, "/data/customers")
            .expect_err("second id is not a number");
        assert_eq!(err.path, "$.data.customers[1].id");
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn a_missing_list_is_an_error_at_its_path() {
        let err = records::<Item>(Vendor::HelpCrunch, &json!({"total": 0}), "/data")
            .expect_err("no data");
        assert_eq!(err.path, "$.data");
    }

    #[test]
    fn a_bare_array_is_the_list() {
        let items =
            records::<Item>(Vendor::Hoko, &json!([{"id": 7, "extra": true}]), "").expect("decodes");
        assert_eq!(items[0].1, json!({"id": 7, "extra": true}));
    }
}

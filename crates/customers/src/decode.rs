//! Decoding a response body once: the envelope with each record left as raw JSON text, then
//! each record into its generated type. A record whose values do not match the spec is
//! repaired value by value (each drifted value recorded and set aside) instead of failing.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::drift::{self, Drift, DriftReport, UnreadableRecord};
use crate::{Customer, Raw, Vendor};

/// A response body whose envelope does not have the shape the vendor's spec describes (not
/// JSON, or no list of customers where one belongs). Drift inside a record is never this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{vendor}: cannot decode the response at {path}: {message}")]
pub struct DecodeError {
    /// The vendor whose response it was.
    pub vendor: Vendor,
    /// JSON path of the value that failed, e.g. `$.data.customers`.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
}

/// The customers of one response body, with what drifted in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodedPage {
    /// Every record of the page whose id could be read, in order.
    pub customers: Vec<Customer>,
    /// The vendor's total across pages, where it reports one.
    pub total: Option<u64>,
    /// Values that did not match the spec, and records without a readable id.
    pub drift: DriftReport,
}

/// The customers of one "list customers" response body of `vendor`, parsed once.
///
/// ```
/// use customers::{ConvertOptions, Vendor, decode_page};
///
/// let body = br#"{"data": [{"id": 542335, "name": "John Doe", "email": " john@example.com ",
///     "firstSeen": "1603885746", "lastSeen": true}], "total": 1}"#;
/// let page = decode_page(Vendor::HelpCrunch, body, &ConvertOptions::default())?;
/// assert_eq!(page.customers[0].id, "542335");
/// assert_eq!(page.customers[0].email.as_deref(), Some("john@example.com"));
/// assert_eq!(page.customers[0].created_at.map(|t| t.to_rfc3339()).as_deref(),
///     Some("2020-10-28T11:49:06+00:00"));
/// // `lastSeen` should be unix seconds: the drift is reported, the record still listed.
/// assert_eq!(page.customers[0].last_seen_at, None);
/// assert_eq!(page.drift.drifts[0].path, "$.data[*].lastSeen");
/// # Ok::<(), customers::DecodeError>(())
/// ```
pub fn decode_page(
    vendor: Vendor,
    body: &[u8],
    options: &crate::ConvertOptions,
) -> Result<DecodedPage, DecodeError> {
    vendor.api().decode_page(body, options)
}

/// Parses a response body's envelope (records left as borrowed raw JSON).
pub(crate) fn envelope<'a, T: Deserialize<'a>>(
    vendor: Vendor,
    body: &'a [u8],
) -> Result<T, DecodeError> {
    let error = |message: String| DecodeError {
        vendor,
        path: "$".to_owned(),
        message,
    };
    let text = std::str::from_utf8(body)
        .map_err(|err| error(format!("the body is not UTF-8 text: {err}")))?;
    serde_json::from_str(text).map_err(|err| {
        if err.is_syntax() || err.is_eof() {
            return error(format!("the body is not JSON: {err}"));
        }
        // Only on failure: decode again, tracking the path, to say where.
        let mut deserializer = serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(err) => {
                let (location, message) = locate(&err);
                DecodeError {
                    vendor,
                    path: wildcard("$", &location.segments),
                    message,
                }
            }
            Ok(_) => error(format!("unexpected envelope: {err}")),
        }
    })
}

/// The customers of `items`, each decoded as `T` and converted with `convert`; `path` is the
/// JSON path of one item with `[*]` for its position (`$.data[*]`), `id_key` the record's id
/// field.
pub(crate) fn records<T, F>(
    vendor: Vendor,
    items: &[&RawValue],
    path: &str,
    id_key: &str,
    drift: &mut DriftReport,
    convert: F,
) -> Vec<Customer>
where
    T: DeserializeOwned,
    F: Fn(T, Raw) -> Customer,
{
    items
        .iter()
        .filter_map(|raw| record(vendor, raw, path, id_key, drift, &convert))
        .collect()
}

/// The records of a body that is a bare JSON array (`path` `$[*]`), each parsed once: as
/// `T` straight from the body, the text it spanned becoming its `raw`. This spares the
/// pass that [`envelope`] makes to split the array first, a sixth of a Hoko export's work.
/// A record that is not a `T` goes the way [`record`] takes. `None` when the body is not a
/// well-formed array: the caller then decodes it the two-pass way, which says where and why.
pub(crate) fn bare_array<T, F>(
    vendor: Vendor,
    body: &[u8],
    id_key: &str,
    convert: F,
) -> Option<(Vec<Customer>, DriftReport)>
where
    T: DeserializeOwned,
    F: Fn(T, Raw) -> Customer,
{
    const WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];
    let text = std::str::from_utf8(body).ok()?;
    let mut rest = text
        .trim_start_matches(WHITESPACE)
        .strip_prefix('[')?
        .trim_start_matches(WHITESPACE);
    let mut customers = Vec::new();
    let mut drift = DriftReport::default();
    if let Some(after) = rest.strip_prefix(']') {
        return after
            .trim_matches(WHITESPACE)
            .is_empty()
            .then_some((customers, drift));
    }
    loop {
        // A stream stops right after one value and says where: that is the record's span.
        let mut typed = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let len = match typed.next() {
            Some(Ok(record)) => {
                let len = typed.byte_offset();
                if customers.is_empty() {
                    customers.reserve(expected_records(rest.len(), len));
                }
                customers.push(convert(record, Raw::from_parsed(&rest[..len])));
                len
            }
            _ => {
                let mut any = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
                let raw = any.next()?.ok()?;
                customers.extend(record(vendor, raw, "$[*]", id_key, &mut drift, &convert));
                any.byte_offset()
            }
        };
        rest = rest.get(len..)?.trim_start_matches(WHITESPACE);
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start_matches(WHITESPACE);
            continue;
        }
        return rest
            .strip_prefix(']')?
            .trim_matches(WHITESPACE)
            .is_empty()
            .then_some((customers, drift));
    }
}

/// How many customers to make room for, judged by the first record's size: as many as the
/// page holds if the rest are as large, at most `MAX_RESERVED`. Grown one doubling at a time,
/// the vector of a page of 10,000 was copied 13 times (1% of a Hoko export's instructions).
fn expected_records(page_bytes: usize, first_record_bytes: usize) -> usize {
    /// More than any vendor's largest page (Hoko's 10,000), and a few MiB at most.
    const MAX_RESERVED: usize = 16_384;
    (page_bytes / first_record_bytes.max(1)).min(MAX_RESERVED)
}

/// One record: decoded as `T` directly, or repaired when its values drift. `None` only when
/// its id cannot be read; it is then in `drift.unreadable`.
pub(crate) fn record<T, F>(
    vendor: Vendor,
    raw: &RawValue,
    path: &str,
    id_key: &str,
    drift: &mut DriftReport,
    convert: F,
) -> Option<Customer>
where
    T: DeserializeOwned,
    F: Fn(T, Raw) -> Customer,
{
    if let Ok(record) = serde_json::from_str::<T>(raw.get()) {
        return Some(convert(record, Raw::from_raw(raw)));
    }
    let repaired = repair::<T>(vendor, raw, path, id_key);
    let id = repaired.id.clone();
    let id_path = wildcard(path, &[Step::Key(id_key.to_owned())]);
    let id_drifted = repaired.drifts.iter().any(|d| d.path == id_path);
    for mut found in repaired.drifts {
        found.first_record_id = id.clone();
        drift.add(found);
    }
    match (repaired.record, id) {
        (Some(record), Some(id)) => {
            let mut customer = convert(record, Raw::from_raw(raw));
            if id_drifted {
                // A stand-in id was decoded: the vendor's own text is the id.
                customer.id = id;
            }
            Some(customer)
        }
        (_, id) => {
            drift.unreadable.push(UnreadableRecord {
                vendor,
                reason: match id {
                    None => format!("the record at {path} has no readable `{id_key}`"),
                    Some(id) => format!("record `{id}` at {path} cannot be read"),
                },
                raw: Raw::from_raw(raw),
            });
            None
        }
    }
}

/// Repairs give up after this many drifted values in one record.
const MAX_REPAIRS: usize = 64;

struct Repaired<T> {
    record: Option<T>,
    /// The record's id as text (a string or a number), when it has one.
    id: Option<String>,
    drifts: Vec<Drift>,
}

/// Where a decode error points: the path segments, and the key that is missing below them.
#[derive(PartialEq)]
struct Location {
    segments: Vec<Step>,
}

#[derive(Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn locate(err: &serde_path_to_error::Error<serde_json::Error>) -> (Location, String) {
    use serde_path_to_error::Segment;
    let mut segments = Vec::new();
    for segment in err.path().iter() {
        match segment {
            Segment::Map { key } => segments.push(Step::Key(key.clone())),
            Segment::Seq { index } => segments.push(Step::Index(*index)),
            // Enum variants and unknown steps cannot be followed in the JSON: point at the
            // value that holds them.
            Segment::Enum { .. } | Segment::Unknown => break,
        }
    }
    let message = err.inner().to_string();
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(key) = rest.split('`').next()
    {
        segments.push(Step::Key(key.to_owned()));
    }
    (Location { segments }, message)
}

fn wildcard(path: &str, segments: &[Step]) -> String {
    let mut out = path.to_owned();
    for step in segments {
        match step {
            Step::Key(key)
                if !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                out.push('.');
                out.push_str(key);
            }
            Step::Key(key) => out.push_str(&format!("[{}]", Value::from(key.as_str()))),
            Step::Index(_) => out.push_str("[*]"),
        }
    }
    out
}

fn lookup<'v>(value: &'v Value, segments: &[Step]) -> Option<&'v Value> {
    segments.iter().try_fold(value, |v, step| match step {
        Step::Key(key) => v.get(key),
        Step::Index(index) => v.get(index),
    })
}

/// What a drifted value is replaced with while decoding, in order: removed, then null, then
/// one plain value of each JSON kind (for a required field).
fn stand_ins() -> [Option<Value>; 8] {
    [
        None,
        Some(Value::Null),
        Some(Value::from(0)),
        Some(Value::from("")),
        Some(Value::Bool(false)),
        Some(Value::from("00000000-0000-0000-0000-000000000000")),
        Some(Value::Array(Vec::new())),
        Some(Value::Object(serde_json::Map::new())),
    ]
}

/// Replaces (or, with `None`, removes) the value at `segments`.
fn replace(value: &mut Value, segments: &[Step], with: Option<Value>) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut parent = value;
    for step in parents {
        let next = match step {
            Step::Key(key) => parent.get_mut(key),
            Step::Index(index) => parent.get_mut(*index),
        };
        match next {
            Some(next) => parent = next,
            None => return false,
        }
    }
    match (last, parent, with) {
        (Step::Key(key), Value::Object(map), Some(with)) => {
            map.insert(key.clone(), with);
            true
        }
        (Step::Key(key), Value::Object(map), None) => map.shift_remove(key).is_some(),
        (Step::Index(index), Value::Array(items), Some(with)) if *index < items.len() => {
            items[*index] = with;
            true
        }
        (Step::Index(index), Value::Array(items), None) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

/// What serde says the spec's type expects, from its message.
fn expected(message: &str) -> String {
    if let Some(rest) = message.split(", expected ").nth(1) {
        return match rest {
            "i64" | "i32" | "u64" | "u32" => format!("an integer ({rest})"),
            "f64" | "f32" => format!("a number ({rest})"),
            _ => rest.to_owned(),
        };
    }
    if let Some(name) = message.strip_prefix("data did not match any variant of untagged enum ") {
        return format!("one of the forms of {name}");
    }
    if message.starts_with("missing field") {
        return "a value (the field is required)".to_owned();
    }
    // The generated types' own checks (enum, pattern, length, bounds) say only this.
    if message == "invalid value" || message.starts_with("doesn't match pattern") {
        return "a value its constraints allow (enum, pattern, length or bounds)".to_owned();
    }
    message.to_owned()
}

fn id_text(value: &Value, id_key: &str) -> Option<String> {
    match value.get(id_key)? {
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn repair<T: DeserializeOwned>(
    vendor: Vendor,
    raw: &RawValue,
    path: &str,
    id_key: &str,
) -> Repaired<T> {
    let Ok(mut value) = serde_json::from_str::<Value>(raw.get()) else {
        return Repaired {
            record: None,
            id: None,
            drifts: Vec::new(),
        };
    };
    let id = id_text(&value, id_key);
    let mut drifts = Vec::new();
    let decode = |value: &Value| serde_path_to_error::deserialize::<_, T>(value);
    for _ in 0..MAX_REPAIRS {
        let err = match decode(&value) {
            Ok(record) => {
                return Repaired {
                    record: Some(record),
                    id,
                    drifts,
                };
            }
            Err(err) => err,
        };
        let (location, message) = locate(&err);
        let found = lookup(&value, &location.segments);
        drifts.push(Drift {
            vendor,
            path: wildcard(path, &location.segments),
            expected: expected(&message),
            observed: drift::kind(found).to_owned(),
            count: 1,
            first_record_id: None,
            example: found.cloned().unwrap_or(Value::Null),
        });
        let fixed = stand_ins().into_iter().find_map(|stand_in| {
            let mut trial = value.clone();
            if !replace(&mut trial, &location.segments, stand_in) {
                return None;
            }
            match decode(&trial) {
                Ok(_) => Some(trial),
                Err(next) if locate(&next).0 != location => Some(trial),
                Err(_) => None,
            }
        });
        match fixed {
            Some(trial) => value = trial,
            None => break,
        }
    }
    Repaired {
        record: None,
        id,
        drifts,
    }
}

/// A count the vendor reports (`total`), or `None` with a drift when it is not one.
pub(crate) fn total(
    vendor: Vendor,
    raw: Option<&RawValue>,
    path: &str,
    drift: &mut DriftReport,
) -> Option<u64> {
    let raw = raw?;
    match serde_json::from_str::<Option<i64>>(raw.get()) {
        Ok(total) => total.and_then(|t| {
            // An integer is what the vendors' specs promise (CareCloud's official one sets
            // no minimum), so a negative one is not drift; it is no total either, and paging
            // falls back to the short-page rule.
            let total = u64::try_from(t).ok();
            if total.is_none() {
                tracing::warn!(%vendor, path, total = t, "negative total ignored");
            }
            total
        }),
        Err(_) => {
            let value: Option<Value> = serde_json::from_str(raw.get()).ok();
            drift.add(Drift {
                vendor,
                path: path.to_owned(),
                expected: "an integer".to_owned(),
                observed: drift::kind(value.as_ref()).to_owned(),
                count: 1,
                first_record_id: None,
                example: value.unwrap_or(Value::Null),
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_readable_expectations() {
        assert_eq!(
            expected("invalid type: string \"x\", expected i64"),
            "an integer (i64)"
        );
        assert_eq!(
            expected("invalid type: null, expected a string"),
            "a string"
        );
        assert_eq!(
            expected("invalid value"),
            "a value its constraints allow (enum, pattern, length or bounds)"
        );
        assert_eq!(
            expected("missing field `id`"),
            "a value (the field is required)"
        );
    }

    #[derive(serde::Deserialize, Debug)]
    struct Person {
        id: u32,
        name: Option<String>,
        tags: Option<Vec<Tag>>,
    }

    #[derive(serde::Deserialize, Debug)]
    struct Tag {
        #[allow(dead_code)]
        name: Option<String>,
    }

    fn convert(person: Person, raw: Raw) -> Customer {
        let mut customer = Customer::new(Vendor::Hoko, person.id.to_string(), raw);
        customer.name = person.name;
        customer.tags = person
            .tags
            .iter()
            .flatten()
            .map(|_| "t".to_owned())
            .collect();
        customer
    }

    fn page(json: &str) -> (Vec<Customer>, DriftReport) {
        let items: Vec<&RawValue> = serde_json::from_str(json).expect("a JSON array");
        let mut drift = DriftReport::default();
        let customers = records(Vendor::Hoko, &items, "$[*]", "id", &mut drift, convert);
        (customers, drift)
    }

    #[test]
    fn a_wrong_typed_field_is_reported_and_the_record_kept() {
        let (customers, drift) =
            page(r#"[{"id": 1, "name": "Ann"}, {"id": 2, "name": 7}, {"id": 3, "name": [1]}]"#);
        assert_eq!(customers.len(), 3);
        assert_eq!(customers[1].name, None);
        assert_eq!(customers[1].raw.get(), r#"{"id": 2, "name": 7}"#);
        assert_eq!(drift.drifts.len(), 1);
        let d = &drift.drifts[0];
        assert_eq!(d.path, "$[*].name");
        assert_eq!(d.count, 2);
        assert_eq!(d.observed, "number");
        assert_eq!(d.expected, "a string");
        assert_eq!(d.first_record_id.as_deref(), Some("2"));
    }

    #[test]
    fn array_positions_become_wildcards() {
        let (customers, drift) = page(r#"[{"id": 1, "tags": [{"name": "a"}, {"name": false}]}]"#);
        assert_eq!(customers.len(), 1);
        assert_eq!(drift.drifts[0].path, "$[*].tags[*].name");
        assert_eq!(drift.drifts[0].observed, "boolean");
    }

    #[test]
    fn an_id_that_did_not_drift_reads_as_on_the_fast_path() {
        #[derive(serde::Deserialize)]
        struct Keyed {
            id: uuid::Uuid,
            #[allow(dead_code)]
            name: Option<String>,
        }
        let items: Vec<&RawValue> =
            serde_json::from_str(r#"[{"id": "550E8400-E29B-41D4-A716-446655440000", "name": 5}]"#)
                .expect("JSON");
        let mut drift = DriftReport::default();
        let customers = records(
            Vendor::Hoko,
            &items,
            "$[*]",
            "id",
            &mut drift,
            |k: Keyed, raw| Customer::new(Vendor::Hoko, k.id.to_string(), raw),
        );
        // `name` drifted, so the record was repaired; its id is still the typed one.
        assert_eq!(customers[0].id, "550e8400-e29b-41d4-a716-446655440000");
        assert_eq!(drift.drifts[0].path, "$[*].name");
    }

    #[test]
    fn a_drifted_id_that_reads_as_text_is_kept() {
        let (customers, drift) = page(r#"[{"id": "17", "name": "Ann"}]"#);
        assert_eq!(customers[0].id, "17");
        assert_eq!(customers[0].name.as_deref(), Some("Ann"));
        assert_eq!(drift.drifts[0].path, "$[*].id");
    }

    #[test]
    fn a_record_without_a_readable_id_goes_to_the_report_whole() {
        for json in [
            r#"[{"id": {"x": 1}, "name": "Ann"}]"#,
            r#"[{"name": "Ann"}]"#,
        ] {
            let (customers, drift) = page(json);
            assert!(customers.is_empty());
            assert_eq!(drift.unreadable.len(), 1, "{json}");
            assert!(drift.unreadable[0].raw.get().contains("Ann"));
            assert_eq!(drift.drifts[0].path, "$[*].id");
        }
    }

    #[test]
    fn a_total_that_is_not_a_count_is_drift() {
        let mut drift = DriftReport::default();
        let raw: Box<RawValue> = serde_json::from_str(r#""12""#).expect("JSON");
        assert_eq!(
            total(Vendor::HelpCrunch, Some(&raw), "$.total", &mut drift),
            None
        );
        assert_eq!(drift.drifts[0].observed, "string");
    }

    /// The one-pass walk of a bare array against the two-pass decode it stands in for.
    fn both_ways(json: &str) -> Option<(Vec<Customer>, DriftReport)> {
        let one_pass = bare_array(Vendor::Hoko, json.as_bytes(), "id", convert);
        if let Some((customers, drift)) = &one_pass {
            let (two_customers, two_drift) = page(json);
            assert_eq!(customers, &two_customers, "{json}");
            assert_eq!(drift, &two_drift, "{json}");
            let raws: Vec<&str> = customers.iter().map(|c| c.raw.get()).collect();
            let items: Vec<&RawValue> = serde_json::from_str(json).expect("an array");
            let expected: Vec<&str> = items
                .iter()
                .map(|r| r.get())
                .filter(|r| raws.contains(r))
                .collect();
            assert_eq!(
                raws, expected,
                "each raw is the record's text, byte for byte"
            );
        }
        one_pass
    }

    #[test]
    fn a_bare_array_in_one_pass_decodes_as_the_two_pass_way_does() {
        for json in [
            "[]",
            " \n[ ]\t",
            r#"[{"id": 1, "name": "Ann"}]"#,
            "[ {\"id\":1,\"name\":\"A ] , [ \\\" }\"} ,\n\t{ \"id\" : 2 , \"x\": [1, {\"y\": \"]\"}] } ]\n",
            r#"[{"id": 1, "tags": [{"label": "a"}]}, {"id": 2, "name": 7}, {"id": 3}]"#,
            r#"[{"id": {"x": 1}, "name": "Ann"}, 5, "text", null, [1, 2], {"id": 4}]"#,
            r#"[{"id": 1.5}, {"id": "7"}, {"id": 8, "id": 9}]"#,
        ] {
            let (customers, _) = both_ways(json).unwrap_or_else(|| panic!("an array: {json}"));
            let two_pass = page(json).0;
            assert_eq!(customers.len(), two_pass.len(), "{json}");
        }
    }

    #[test]
    fn a_body_that_is_not_one_well_formed_array_is_left_to_the_two_pass_way() {
        for json in [
            "",
            "{}",
            r#"{"data": []}"#,
            "[",
            r#"[{"id": 1},]"#,
            r#"[{"id": 1} {"id": 2}]"#,
            r#"[{"id": 1}] x"#,
            r#"[{"id": 1}][]"#,
            r#"[{"id": 1, "name": "Ann}]"#,
            r#"[{"id": 1}, {"id": 2, "name": }]"#,
            "[{\"id\": 1, \"name\": \"\u{1}\"}]",
        ] {
            assert!(both_ways(json).is_none(), "{json}");
        }
        assert!(bare_array(Vendor::Hoko, b"[\xff]", "id", convert).is_none());
    }

    #[test]
    fn room_is_made_for_records_as_large_as_the_first_but_not_without_bound() {
        assert_eq!(expected_records(2_600_000, 260), 10_000);
        assert_eq!(expected_records(600, 260), 2);
        assert_eq!(
            expected_records(2_600_000, 2),
            16_384,
            "a tiny first record"
        );
        assert_eq!(expected_records(10, 0), 10, "no division by zero");
        let json = r#"[{"id": 1}, {"id": 2, "name": "a much longer record than the first"}]"#;
        let (customers, _) = both_ways(json).expect("an array");
        assert_eq!(customers.len(), 2);
    }
}

//! The tap's bookmark, as Singer state: `{"bookmarks": {STREAM: …}, "currently_syncing": …}`.
//! While a sweep is under way it holds the next page's cursor (and the change time the sweep
//! asks from); once the sweep completes, the high-water mark the next run asks from.

use chrono::{DateTime, Utc};
use customers::PageCursor;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::exit::Failure;

/// One stream's bookmark.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bookmark {
    /// Where the interrupted sweep goes on; `None` once it completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<PageCursor>,
    /// The change time the sweep under way asks from (an incremental stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Changes up to this time are in: the next sweep of an incremental stream asks from
    /// here (less the vendor's granularity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_water: Option<DateTime<Utc>>,
    /// The latest change time among the records of the sweep under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep_high_water: Option<DateTime<Utc>>,
}

/// `stream`'s bookmark in a `--state` file's JSON (the default when it has none).
pub fn bookmark(state: &Value, stream: &str) -> Result<Bookmark, Failure> {
    match state.get("bookmarks").and_then(|b| b.get(stream)) {
        None | Some(Value::Null) => Ok(Bookmark::default()),
        Some(value) => serde_json::from_value(value.clone()).map_err(|err| {
            Failure::usage(format!(
                "the state's bookmark of {stream} cannot be read: {err}"
            ))
        }),
    }
}

/// The `STATE` message's value holding `bookmark` for `stream`.
pub fn value(stream: &str, bookmark: &Bookmark, syncing: bool) -> Value {
    json!({
        "bookmarks": { stream: bookmark },
        "currently_syncing": if syncing { json!(stream) } else { Value::Null },
    })
}

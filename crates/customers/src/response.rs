//! A vendor's final response to the body to decode, or to the [`Error`] it stands for: the
//! kind from the status, the message from the vendor's body (parsed at most once).

use reqwest::StatusCode;
use serde_json::Value;

use crate::transport::Captured;
use crate::vendor_api::VendorMessage;
use crate::{Error, ErrorKind, Vendor};

/// The body of a successful response, or the error an unsuccessful one stands for.
pub(crate) fn success_body(vendor: Vendor, captured: &Captured) -> Result<&[u8], Error> {
    if captured.status.is_success() {
        Ok(&captured.body)
    } else {
        Err(error(vendor, captured))
    }
}

/// The [`Error`] an unsuccessful response stands for.
pub(crate) fn error(vendor: Vendor, captured: &Captured) -> Error {
    let api = vendor.api();
    // The one parse of an error body (shared with the retry layer); every reader below
    // works on it.
    let json = captured.json();
    let said = json
        .and_then(|json| api.error_message(json))
        .unwrap_or_else(|| VendorMessage {
            messages: plain_text(json, &captured.body).into_iter().collect(),
            ..VendorMessage::default()
        });
    let status = captured.status;
    let kind = match status {
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
        StatusCode::FORBIDDEN => ErrorKind::Forbidden {
            missing_scopes: said.missing_scopes,
        },
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited {
            retry_after: client_runtime::hinted_wait(
                &captured.headers,
                json.and_then(|json| api.wait_hint(json)),
                std::time::SystemTime::now(),
            ),
        },
        StatusCode::SERVICE_UNAVAILABLE => ErrorKind::Unavailable,
        s if s.is_server_error() => ErrorKind::Server,
        _ => ErrorKind::BadRequest {
            messages: said.messages.clone(),
        },
    };
    Error::new(vendor, kind)
        .with_status(status.as_u16())
        .with_message(said.messages.join("; "))
}

/// A short, printable excerpt of a body that is not the vendor's JSON error shape.
fn plain_text(json: Option<&Value>, body: &[u8]) -> Option<String> {
    const MAX_CHARS: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = match json {
        Some(Value::Object(map)) => map
            .get("message")
            .or_else(|| map.get("error"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| text.into_owned()),
        _ => text.into_owned(),
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(MAX_CHARS).collect())
}

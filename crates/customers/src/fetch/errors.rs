//! Error responses to [`Error`]: the kind from the status, the message from the vendor's body.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::transport::Captured;
use crate::{Error, ErrorKind, Vendor};

/// What a vendor's error body says.
#[derive(Default)]
struct VendorMessage {
    messages: Vec<String>,
    missing_scopes: Vec<String>,
}

/// The [`Error`] an unsuccessful response stands for.
pub(crate) fn from_response(vendor: Vendor, captured: &Captured) -> Error {
    let said = parse(vendor, &captured.body);
    let status = captured.status;
    let kind = match status {
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
        StatusCode::FORBIDDEN => ErrorKind::Forbidden {
            missing_scopes: said.missing_scopes.clone(),
        },
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited {
            retry_after: crate::retry::hinted_wait(
                &captured.headers,
                body_hint(vendor)(&captured.body),
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

/// The vendor's wait hint in an error body: Hoko's `retryAfter` seconds.
pub(crate) fn body_hint(vendor: Vendor) -> fn(&[u8]) -> Option<Duration> {
    fn hoko(body: &[u8]) -> Option<Duration> {
        let body: hoko_client::types::Error = serde_json::from_slice(body).ok()?;
        body.retry_after
            .and_then(|s| u64::try_from(s).ok())
            .map(Duration::from_secs)
    }
    fn none(_: &[u8]) -> Option<Duration> {
        None
    }
    match vendor {
        Vendor::Hoko => hoko,
        _ => none,
    }
}

fn parse(vendor: Vendor, body: &[u8]) -> VendorMessage {
    let typed = match vendor {
        Vendor::Hoko => hoko(body),
        Vendor::CareCloud => carecloud(body),
        Vendor::BotPenguin => botpenguin(body),
        Vendor::HelpCrunch => helpcrunch(body),
        // Gleantap documents no error body.
        Vendor::Gleantap => None,
    };
    typed.unwrap_or_else(|| VendorMessage {
        messages: plain_text(body).into_iter().collect(),
        ..VendorMessage::default()
    })
}

fn hoko(body: &[u8]) -> Option<VendorMessage> {
    let body: hoko_client::types::Error = serde_json::from_slice(body).ok()?;
    Some(VendorMessage {
        messages: body.error.en.into_iter().collect(),
        missing_scopes: body.missing_scopes,
    })
}

fn carecloud(body: &[u8]) -> Option<VendorMessage> {
    let body: carecloud_client::types::Error = serde_json::from_slice(body).ok()?;
    let error = body.error;
    let mut messages: Vec<String> = [error.title, error.detail].into_iter().flatten().collect();
    for param in error
        .error_data
        .map(|d| d.invalid_params)
        .unwrap_or_default()
    {
        let text = param.message.or(param.reason).unwrap_or_default();
        messages.push(match param.name {
            Some(name) => format!("{name}: {text}"),
            None => text,
        });
    }
    Some(VendorMessage {
        messages,
        ..VendorMessage::default()
    })
}

fn botpenguin(body: &[u8]) -> Option<VendorMessage> {
    let body: botpenguin_client::types::ErrorResponse = serde_json::from_slice(body).ok()?;
    Some(VendorMessage {
        messages: body.message.into_iter().collect(),
        ..VendorMessage::default()
    })
}

fn helpcrunch(body: &[u8]) -> Option<VendorMessage> {
    let body: helpcrunch_client::types::Errors = serde_json::from_slice(body).ok()?;
    Some(VendorMessage {
        messages: body.errors.into_iter().filter_map(|e| e.message).collect(),
        ..VendorMessage::default()
    })
}

/// A short, printable excerpt of a body that is not the vendor's JSON error shape.
fn plain_text(body: &[u8]) -> Option<String> {
    const MAX_CHARS: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map
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

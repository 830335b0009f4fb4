//! An optional log of every exchange a fake served, so tests can check what the fakes accept
//! and answer against something the fakes' author did not write: the vendors' specs.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::routes::SharedState;

/// Bodies above this are not recorded in full (no fake page comes near it).
const MAX_RECORDED: usize = 64 * 1024 * 1024;

/// One request a fake received and the answer it gave.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as requested, including the vendor's base path.
    pub path: String,
    /// The query pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The request headers (they hold the fakes' test credentials: keep them out of logs).
    pub request_headers: HeaderMap,
    /// The request body.
    pub request_body: Vec<u8>,
    /// The status answered.
    pub status: u16,
    /// The response's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The response body.
    pub response_body: Vec<u8>,
}

/// The middleware: passes the request on, then logs both sides.
pub(crate) async fn record(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    if !state.config.record_exchanges {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let request_body = to_bytes(body, MAX_RECORDED).await.unwrap_or_default();
    let query = parts
        .uri
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default();
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query,
        request_headers: parts.headers.clone(),
        request_body: request_body.to_vec(),
        status: 0,
        content_type: None,
        response_body: Vec::new(),
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(request_body)))
        .await;
    let (parts, body) = response.into_parts();
    let response_body = to_bytes(body, MAX_RECORDED).await.unwrap_or_default();
    exchange.status = parts.status.as_u16();
    exchange.content_type = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    exchange.response_body = response_body.to_vec();
    if let Ok(mut log) = state.exchanges.lock() {
        log.push(exchange);
    }
    Response::from_parts(parts, Body::from(response_body))
}

//! The one error type of the facade.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{DecodeError, Vendor};

/// What went wrong, in common terms.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The credentials were rejected (401).
    Unauthorized,
    /// The credentials lack a permission (403); Hoko names the missing scopes.
    Forbidden {
        /// Scopes the vendor says are missing (empty when it does not say).
        missing_scopes: Vec<String>,
    },
    /// No such customer (404, or no match for a lookup by id).
    NotFound,
    /// The vendor rejected the request (400 and other 4xx).
    BadRequest {
        /// Every message the vendor gave, e.g. one per invalid parameter.
        messages: Vec<String>,
    },
    /// Too many requests (429), after the retries the policy allows.
    RateLimited {
        /// How long the vendor asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The vendor is temporarily unavailable (503), after retries.
    Unavailable,
    /// The vendor failed (5xx other than 503).
    Server,
    /// The request did not complete: connection refused or reset, timeout, truncated body.
    Transport,
    /// The response does not have the documented shape.
    Decode {
        /// JSON path of the value that failed, e.g. `$.data[3].id`.
        path: String,
    },
    /// A page repeated the previous page's customers, so paging would never end.
    PagingLoop,
    /// The listing reached the page limit (`ClientBuilder::max_pages`) with more pages
    /// still announced.
    PageLimit {
        /// The limit.
        pages: u32,
    },
    /// The query or lookup cannot be sent to this vendor (an unsupported filter, an id that
    /// cannot exist).
    InvalidQuery,
    /// The client is not configured correctly (a missing base URL, a page size out of range).
    Configuration,
}

impl ErrorKind {
    fn describe(&self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden { .. } => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::BadRequest { .. } => "bad request",
            ErrorKind::RateLimited { .. } => "rate limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Server => "server error",
            ErrorKind::Transport => "transport error",
            ErrorKind::Decode { .. } => "unexpected response",
            ErrorKind::PagingLoop => "paging does not advance",
            ErrorKind::PageLimit { .. } => "page limit reached",
            ErrorKind::InvalidQuery => "invalid query",
            ErrorKind::Configuration => "configuration error",
        }
    }
}

/// The underlying error of an [`Error`], shared so that errors stay cheap to clone.
type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An error from one vendor: its kind, the HTTP status, the vendor's own message and the
/// underlying cause ([`std::error::Error::source`]).
///
/// It never contains a credential: messages come from response bodies and from this crate,
/// and request URLs are reduced to their path.
#[derive(Debug, Clone)]
pub struct Error {
    vendor: Vendor,
    kind: ErrorKind,
    status: Option<u16>,
    message: Option<String>,
    source: Option<Source>,
}

/// Equal when vendor, kind, status and message are; the causes are not compared.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        (self.vendor, &self.kind, self.status, &self.message)
            == (other.vendor, &other.kind, other.status, &other.message)
    }
}

impl Eq for Error {}

impl Error {
    /// An error of `kind` from `vendor`.
    pub fn new(vendor: Vendor, kind: ErrorKind) -> Self {
        Error {
            vendor,
            kind,
            status: None,
            message: None,
            source: None,
        }
    }

    /// With the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// A request that got no complete response: what happened (timed out, connection
    /// refused, DNS lookup failed, TLS, body cut off) and the request's path, with `err` as
    /// the cause.
    pub(crate) fn transport(vendor: Vendor, err: reqwest::Error) -> Self {
        let what = transport_failure(&err);
        let path = err
            .url()
            .map(|url| format!(" ({})", url.path()))
            .unwrap_or_default();
        Error::new(vendor, ErrorKind::Transport)
            .with_message(format!("{what}{path}"))
            .with_source(err.without_url())
    }

    /// With the HTTP status of the response.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// With the vendor's (or this crate's) message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        let message = message.into();
        self.message = (!message.trim().is_empty()).then_some(message);
        self
    }

    /// The vendor the error comes from.
    pub fn vendor(&self) -> Vendor {
        self.vendor
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The vendor's own message (Hoko's English text, HelpCrunch's `errors[]`, CareCloud's
    /// title, detail and invalid parameters, …).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Whether the same request may succeed later: rate limits, unavailability and
    /// transport failures. Other 4xx never are.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::RateLimited { .. } | ErrorKind::Unavailable | ErrorKind::Transport
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.vendor, self.kind.describe())?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        match &self.kind {
            ErrorKind::Forbidden { missing_scopes } if !missing_scopes.is_empty() => {
                write!(f, " (missing scopes: {})", missing_scopes.join(", "))?;
            }
            ErrorKind::RateLimited {
                retry_after: Some(wait),
            } => write!(f, " (retry after {} s)", wait.as_secs())?,
            ErrorKind::Decode { path } => write!(f, " at {path}")?,
            _ => {}
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// What a transport failure was, from reqwest's classification and its chain of causes.
fn transport_failure(err: &reqwest::Error) -> &'static str {
    let mut chain = String::new();
    let mut refused = false;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = cause {
        chain.push_str(&current.to_string().to_ascii_lowercase());
        chain.push('\n');
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        cause = current.source();
    }
    if err.is_redirect() {
        "redirect refused"
    } else if err.is_timeout() || chain.contains("timed out") {
        "timed out"
    } else if refused || chain.contains("connection refused") {
        "connection refused"
    } else if chain.contains("dns error") || chain.contains("failed to lookup address") {
        "DNS lookup failed"
    } else if [
        "tls",
        "certificate",
        "handshake",
        "corrupt message",
        "peer is incompatible",
        "peer misbehaved",
        "received fatal alert",
    ]
    .iter()
    .any(|sign| chain.contains(sign))
    {
        // rustls says so in its messages (the facade does not depend on rustls itself).
        "TLS handshake failed"
    } else if err.is_body() || err.is_decode() {
        "the response body was cut off"
    } else if err.is_connect() {
        "connection failed"
    } else if chain.contains("reset") || chain.contains("closed") {
        "the connection was closed before the response completed"
    } else {
        "the request failed"
    }
}

impl From<DecodeError> for Error {
    fn from(err: DecodeError) -> Self {
        Error::new(
            err.vendor,
            ErrorKind::Decode {
                path: err.path.clone(),
            },
        )
        .with_message(err.message.clone())
        .with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_vendor_kind_status_and_message() {
        let err = Error::new(
            Vendor::Hoko,
            ErrorKind::Forbidden {
                missing_scopes: vec!["customersRead".to_owned()],
            },
        )
        .with_status(403)
        .with_message("Missing required scopes");
        assert_eq!(
            err.to_string(),
            "hoko: forbidden (HTTP 403): Missing required scopes (missing scopes: customersRead)"
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn only_transient_kinds_are_retryable() {
        let retryable = [
            ErrorKind::RateLimited { retry_after: None },
            ErrorKind::Unavailable,
            ErrorKind::Transport,
        ];
        for kind in retryable {
            assert!(Error::new(Vendor::HelpCrunch, kind).is_retryable());
        }
        for kind in [
            ErrorKind::Unauthorized,
            ErrorKind::NotFound,
            ErrorKind::Server,
        ] {
            assert!(!Error::new(Vendor::HelpCrunch, kind).is_retryable());
        }
    }

    /// Runs a request with `client` and returns the facade's message for its failure, with
    /// the whole chain of causes for a failing assertion.
    async fn failure(client: reqwest::Client, url: String) -> (String, String) {
        let err = client.get(url).send().await.expect_err("the request fails");
        let err = Error::transport(Vendor::Hoko, err);
        let mut chain = String::new();
        let mut cause = std::error::Error::source(&err);
        while let Some(current) = cause {
            chain.push_str(&format!(" <- {current}"));
            cause = current.source();
        }
        (err.message().unwrap_or_default().to_owned(), chain)
    }

    #[tokio::test]
    async fn a_stalled_server_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("addr");
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket); // accepted, never answered
            }
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .expect("client");
        let (message, chain) =
            failure(client, format!("http://{address}/api/customers?take=5")).await;
        assert_eq!(message, "timed out (/api/customers)", "{chain}");
        held.abort();
    }

    #[tokio::test]
    async fn tls_to_a_plain_http_server_says_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket
                    .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let (message, chain) = failure(
            reqwest::Client::new(),
            format!("https://{address}/customers"),
        )
        .await;
        assert_eq!(message, "TLS handshake failed (/customers)", "{chain}");
        server.abort();
    }

    #[tokio::test]
    async fn a_host_that_does_not_resolve_says_dns() {
        // `.invalid` never resolves (RFC 2606).
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        let (message, chain) =
            failure(client, "http://customers.invalid/v1/customers".to_owned()).await;
        assert_eq!(message, "DNS lookup failed (/v1/customers)", "{chain}");
    }
}

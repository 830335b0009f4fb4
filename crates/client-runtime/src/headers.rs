//! Building a `reqwest::Client` that sends credentials on every request.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::Secret;

/// Timeouts of the authenticated client. No total timeout: a long page at a slow but steady
/// rate is fine; a stall is not. The facade applies its own, configurable idle timeout;
/// this read timeout is the backstop for direct users of a generated client.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Why an authenticated client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A credential cannot be sent in an HTTP header (a newline, for instance).
    #[error("the {credential} contains characters that cannot be sent in an HTTP header")]
    InvalidCredential {
        /// Which credential, e.g. "API key"; never its value.
        credential: &'static str,
    },
    /// The credential is empty.
    #[error("the {credential} is empty")]
    EmptyCredential {
        /// Which credential.
        credential: &'static str,
    },
    /// reqwest could not build the client (TLS set-up, for instance).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// Default headers for an authenticated client; secret values are marked sensitive so
/// reqwest never prints them.
#[derive(Debug, Default)]
pub struct AuthHeaders {
    headers: HeaderMap,
}

impl AuthHeaders {
    /// No headers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, credential: &'static str, token: &Secret) -> Result<Self, AuthError> {
        let value = format!("Bearer {}", non_empty(credential, token)?);
        self.insert(AUTHORIZATION, credential, &value, true)
    }

    /// A header whose value is a secret, e.g. `X-API-KEY`.
    pub fn secret(
        self,
        name: &'static str,
        credential: &'static str,
        value: &Secret,
    ) -> Result<Self, AuthError> {
        let value = non_empty(credential, value)?.to_owned();
        self.insert(HeaderName::from_static(name), credential, &value, true)
    }

    /// A header with a fixed, public value, e.g. BotPenguin's `authtype: Key`.
    pub fn fixed(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
        self
    }

    /// The headers, secret values marked sensitive: for a transport that adds them to each
    /// request of a caller's own client ([`crate::Transport::with_credentials`]).
    pub fn into_headers(self) -> HeaderMap {
        self.headers
    }

    /// A client that sends these headers on every request to `base_url`, and follows
    /// redirects only within its origin.
    pub fn into_client(self, base_url: &str) -> Result<reqwest::Client, AuthError> {
        authenticated_client(base_url, self.headers)
    }

    fn insert(
        mut self,
        name: HeaderName,
        credential: &'static str,
        value: &str,
        sensitive: bool,
    ) -> Result<Self, AuthError> {
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| AuthError::InvalidCredential { credential })?;
        value.set_sensitive(sensitive);
        self.headers.insert(name, value);
        Ok(self)
    }
}

/// A client that sends `headers` (a generated `Credentials::headers()`, say) on every
/// request to `base_url`, and follows redirects only within its origin.
pub fn authenticated_client(
    base_url: &str,
    headers: HeaderMap,
) -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(crate::redirect::same_origin(base_url))
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .build()
        .map_err(AuthError::Client)
}

fn non_empty<'a>(credential: &'static str, value: &'a Secret) -> Result<&'a str, AuthError> {
    let exposed = value.expose().trim();
    if exposed.is_empty() {
        return Err(AuthError::EmptyCredential { credential });
    }
    Ok(exposed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_in_a_key_is_a_clear_error_without_the_key() {
        let err = AuthHeaders::new()
            .bearer("API key", &Secret::new("abc\ndef"))
            .expect_err("a newline cannot be sent");
        assert_eq!(
            err.to_string(),
            "the API key contains characters that cannot be sent in an HTTP header"
        );
    }

    #[test]
    fn an_empty_key_is_rejected() {
        let err = AuthHeaders::new()
            .secret("x-api-key", "API key", &Secret::new("  "))
            .expect_err("empty");
        assert_eq!(err.to_string(), "the API key is empty");
    }

    #[test]
    fn debug_of_headers_and_client_hides_secrets() {
        let headers = AuthHeaders::new()
            .bearer("token", &Secret::new("tok_very_secret"))
            .expect("valid")
            .secret("x-secret-key", "secret key", &Secret::new("sk_very_secret"))
            .expect("valid")
            .fixed("authtype", "Key");
        let debug = format!("{headers:?}");
        assert!(!debug.contains("very_secret"), "{debug}");
        assert!(debug.contains("Key"), "{debug}");
        let client = headers
            .into_client("https://api.example.com")
            .expect("builds");
        let debug = format!("{client:?}");
        assert!(!debug.contains("very_secret"), "{debug}");
    }
}

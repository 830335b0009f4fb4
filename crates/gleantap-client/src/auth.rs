//! Hand-written auth layer: the `X-API-KEY` and `X-SECRET-KEY` headers, which the verbatim
//! spec declares as per-call parameters and the overlay turns into security schemes. The
//! generator never touches this file.

use client_runtime::{AuthError, AuthHeaders, Secret, Transport, normalize_base_url};

use crate::Client;

/// Gleantap's credentials: an API key and a secret key. `Debug` never shows either.
///
/// The app id is not a credential: it travels in each request body (`app_id`).
#[derive(Clone, Debug)]
pub struct Credentials {
    api_key: Secret,
    secret_key: Secret,
}

impl Credentials {
    /// Credentials from the API key and the secret key.
    pub fn new(api_key: impl Into<Secret>, secret_key: impl Into<Secret>) -> Self {
        Self {
            api_key: api_key.into(),
            secret_key: secret_key.into(),
        }
    }
}

impl Client {
    /// A client that sends `credentials` on every request to `base_url`
    /// ([`crate::SERVER_URL`] for production; any other URL for tests).
    pub fn with_credentials(base_url: &str, credentials: &Credentials) -> Result<Self, AuthError> {
        let http = AuthHeaders::new()
            .secret("x-api-key", "API key", &credentials.api_key)?
            .secret("x-secret-key", "secret key", &credentials.secret_key)?
            .into_client()?;
        Ok(Self::new_with_client(
            &normalize_base_url(base_url),
            http,
            Transport::default(),
        ))
    }
}

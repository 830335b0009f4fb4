//! Hand-written auth layer: `Authorization: Bearer <API key>` (keys do not expire).
//! The generator never touches this file.

use client_runtime::{AuthError, AuthHeaders, Secret, Transport, normalize_base_url};

use crate::Client;

/// HelpCrunch's credentials: an API key sent as a bearer token. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct Credentials {
    token: Secret,
}

impl Credentials {
    /// Credentials from the API key.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
        }
    }
}

impl Client {
    /// A client that sends `credentials` on every request to `base_url`
    /// ([`crate::SERVER_URL`] for production; any other URL for tenants, sandboxes and tests).
    pub fn with_credentials(base_url: &str, credentials: &Credentials) -> Result<Self, AuthError> {
        let http = AuthHeaders::new()
            .bearer("API key", &credentials.token)?
            .into_client()?;
        Ok(Self::new_with_client(
            &normalize_base_url(base_url),
            http,
            Transport::default(),
        ))
    }
}

//! Hand-written auth layer: `Authorization: Bearer <token>` plus the fixed `authtype: Key`
//! header, both required. The generator never touches this file.

use client_runtime::{AuthError, AuthHeaders, Secret, Transport, normalize_base_url};

use crate::Client;

/// BotPenguin's credentials: the agency admin's token from the BotPenguin dashboard.
/// `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct Credentials {
    token: Secret,
}

impl Credentials {
    /// Credentials from the agency token.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
        }
    }
}

impl Client {
    /// A client that sends `credentials` (and `authtype: Key`) on every request to
    /// `base_url` ([`crate::SERVER_URL`] for production; any other URL for tests).
    pub fn with_credentials(base_url: &str, credentials: &Credentials) -> Result<Self, AuthError> {
        let http = AuthHeaders::new()
            .bearer("agency token", &credentials.token)?
            .fixed("authtype", "Key")
            .into_client()?;
        Ok(Self::new_with_client(
            &normalize_base_url(base_url),
            http,
            Transport::default(),
        ))
    }
}

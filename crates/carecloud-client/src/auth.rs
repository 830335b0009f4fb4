//! Hand-written auth layer: `Authorization: Bearer <token>`, the token from `POST /users/actions/login`.
//! The generator never touches this file.

use client_runtime::{AuthError, AuthHeaders, Secret, Transport, normalize_base_url};

use crate::Client;

/// CareCloud's credentials: a bearer token issued by `POST /users/actions/login`. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct Credentials {
    token: Secret,
}

impl Credentials {
    /// Credentials from the bearer token.
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
            .bearer("bearer token", &credentials.token)?
            .into_client()?;
        Ok(Self::new_with_client(
            &normalize_base_url(base_url),
            http,
            Transport::default(),
        ))
    }

    /// A client without credentials, for `POST /users/actions/login`, which issues them.
    pub fn without_credentials(base_url: &str) -> Result<Self, AuthError> {
        let http = AuthHeaders::new().into_client()?;
        Ok(Self::new_with_client(
            &normalize_base_url(base_url),
            http,
            Transport::default(),
        ))
    }
}

/// The enterprise-interface base URL of a tenant, from its host name
/// (e.g. `sandbox.crmcarecloud.com`): [`crate::SERVER_URL`] with `{project_url}` filled in.
pub fn tenant_base_url(project_url: &str) -> String {
    crate::SERVER_URL.replace("{project_url}", project_url.trim_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_base_url_fills_in_the_host() {
        assert_eq!(
            tenant_base_url("sandbox.crmcarecloud.com"),
            "https://sandbox.crmcarecloud.com/webservice/rest-api/enterprise-interface/v1.0"
        );
    }
}

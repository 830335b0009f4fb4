//! Secrets and authenticated HTTP clients, shared by the generated vendor client crates.
//!
//! progenitor ignores an OpenAPI spec's `securitySchemes`, so each client crate builds its
//! `reqwest::Client` here with the credentials as default headers, marked sensitive. A
//! [`Secret`] never shows its value in `Debug` or `Display`.

mod headers;
mod secret;

pub use headers::{AuthError, AuthHeaders};
pub use secret::Secret;

/// Normalizes a base URL for progenitor, which appends paths such as `/api/customers`.
///
/// Trailing slashes are removed so `https://host/` does not become `https://host//api`.
pub fn normalize_base_url(base_url: &str) -> String {
    base_url.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_are_removed() {
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalize_base_url("https://api.example.com/v1"),
            "https://api.example.com/v1"
        );
    }
}

//! What the generated vendor client crates share at run time.
//!
//! - Auth: progenitor ignores an OpenAPI spec's `securitySchemes`, so each client crate builds
//!   its `reqwest::Client` with [`AuthHeaders`]: the credentials as default headers, marked
//!   sensitive. A [`Secret`] never shows its value in `Debug` or `Display`.
//! - Redirects: a client follows them only within its base URL's origin
//!   ([`same_origin`]), so no credential ever reaches another host.
//! - Transport: every generated client sends its requests through a [`Transport`], the hook
//!   where rate limiting and retries plug in. [`Resilient`] is that plug: an adaptive rate
//!   limiter, retries under a [`RetryPolicy`], timeouts and a body cap ([`Limits`]).
//! - Paging: each generated crate's list operation has a page stream ([`pages`]), built from
//!   the [`Paging`] its spec declares in `x-paging`.

mod headers;
mod limits;
mod page_shape;
mod paging;
mod quota_headers;
mod rate_limit;
mod redirect;
mod resilient;
mod retry;
mod secret;
mod transport;

pub use futures::Stream;
pub use headers::{AuthError, AuthHeaders, authenticated_client};
pub use limits::Limits;
pub use page_shape::{Measured, PageShape};
pub use paging::{PageCursor, Paged, Paging, PagingEnd, pages};
pub use quota_headers::{Quota, announced};
pub use rate_limit::{AdaptiveLimiter, Answer, DEFAULT_WINDOW, Slot};
pub use redirect::{RedirectRefused, same_origin};
pub use resilient::{BodyHint, Buffered, Failure, Resilient, RetryEvent, RetryObserver};
pub use retry::{RetryPolicy, hinted_wait};
pub use secret::Secret;
pub use transport::{Exec, ExecFuture, Transport};

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

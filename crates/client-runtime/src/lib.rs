#![doc = include_str!("../README.md")]

mod env;
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

pub use env::{MissingEnv, read_env};
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

//! Redirects stay on the configured origin. reqwest's own policy strips only
//! `Authorization` when a redirect leaves the host: other credential headers (Gleantap's
//! `X-API-KEY` and `X-SECRET-KEY`) and a login body re-sent on 307 would follow it, and a
//! redirect could lead from https to plain http. Refusing every redirect to another origin
//! (scheme, host and port) keeps each credential with the host it was configured for.

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};

/// At most this many redirects within the origin, as reqwest's default.
const MAX_REDIRECTS: usize = 10;

/// Why a redirect was not followed.
#[derive(Debug, thiserror::Error)]
pub enum RedirectRefused {
    /// The redirect leads to another origin.
    #[error(
        "refused a redirect to {target}: credentials are only sent to {origin}, the configured base URL's origin"
    )]
    OtherOrigin {
        /// The redirect's origin, e.g. `https://other.example:8443` (never a path or query).
        target: String,
        /// The configured origin.
        origin: String,
    },
    /// Too many redirects.
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooMany,
}

/// The redirect policy of a client whose base URL is `base_url`: same origin only. A base
/// URL that does not parse follows no redirect at all.
pub fn same_origin(base_url: &str) -> Policy {
    let origin = Url::parse(base_url).ok().map(|url| url.origin());
    Policy::custom(move |attempt: Attempt<'_>| {
        let target = attempt.url().origin();
        if origin.as_ref() != Some(&target) {
            let error = RedirectRefused::OtherOrigin {
                target: target.ascii_serialization(),
                origin: origin
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |o| o.ascii_serialization()),
            };
            return attempt.error(error);
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(RedirectRefused::TooMany);
        }
        attempt.follow()
    })
}

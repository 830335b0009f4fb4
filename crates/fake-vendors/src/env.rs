//! The credentials each fake accepts, under the names its vendor's spec gives them (the
//! spec's `x-env` entries: `bearer_auth`, `login`, `app_id`, …). Which environment variable
//! holds each is the spec's to say, not the fakes': `customers::Credentials::env_for`
//! pairs the two.

use crate::Vendor;

/// The credentials `vendor`'s fake accepts, each under its name in the vendor's spec.
pub fn accepted_credentials(vendor: Vendor) -> &'static [(&'static str, &'static str)] {
    vendor.fake().credentials()
}

//! Credentials for each vendor. `Debug` never shows a secret.

use client_runtime::Secret;

use crate::Vendor;

/// How to authenticate with CareCloud.
#[derive(Debug, Clone)]
pub enum CareCloudAuth {
    /// A bearer token the user already has.
    Token(Secret),
    /// Enterprise user credentials: the client logs in through `POST /users/actions/login`
    /// and logs in again once when the token is rejected.
    Login {
        /// `user_external_application_id`.
        app_id: String,
        /// The user's login.
        login: String,
        /// The user's password.
        password: Secret,
    },
}

/// The credentials of one vendor, which also choose the vendor.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Hoko API key (scope `customersRead`).
    Hoko {
        /// The API key.
        api_key: Secret,
    },
    /// CareCloud token or login. The tenant's base URL must be set on the builder.
    CareCloud(CareCloudAuth),
    /// BotPenguin agency token.
    BotPenguin {
        /// The agency admin's token.
        token: Secret,
    },
    /// Gleantap keys and the app whose members are listed.
    Gleantap {
        /// `X-API-KEY`.
        api_key: Secret,
        /// `X-SECRET-KEY`.
        secret_key: Secret,
        /// The `app_id` sent in each request body.
        app_id: String,
    },
    /// HelpCrunch API key.
    HelpCrunch {
        /// The API key.
        api_key: Secret,
    },
}

impl Credentials {
    /// The vendor these credentials are for.
    pub fn vendor(&self) -> Vendor {
        match self {
            Credentials::Hoko { .. } => Vendor::Hoko,
            Credentials::CareCloud(_) => Vendor::CareCloud,
            Credentials::BotPenguin { .. } => Vendor::BotPenguin,
            Credentials::Gleantap { .. } => Vendor::Gleantap,
            Credentials::HelpCrunch { .. } => Vendor::HelpCrunch,
        }
    }
}

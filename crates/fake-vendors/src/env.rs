//! The environment variables the `customers` tools read a vendor's credentials from, with
//! the values the fake of that vendor accepts: what a test or a demo sets to list a fake.

use crate::{API_KEY, APP_ID, LOGIN, PASSWORD, SECRET_KEY, Vendor};

/// The credential variables for `vendor`'s fake, with the values it accepts.
pub fn credential_env(vendor: Vendor) -> Vec<(&'static str, &'static str)> {
    match vendor {
        Vendor::Hoko => vec![("HOKO_API_KEY", API_KEY)],
        Vendor::CareCloud => vec![
            ("CARECLOUD_LOGIN", LOGIN),
            ("CARECLOUD_PASSWORD", PASSWORD),
            ("CARECLOUD_APP_ID", APP_ID),
        ],
        Vendor::BotPenguin => vec![("BOTPENGUIN_API_KEY", API_KEY)],
        Vendor::Gleantap => vec![
            ("GLEANTAP_API_KEY", API_KEY),
            ("GLEANTAP_SECRET_KEY", SECRET_KEY),
            ("GLEANTAP_APP_ID", APP_ID),
        ],
        Vendor::HelpCrunch => vec![("HELPCRUNCH_API_KEY", API_KEY)],
    }
}

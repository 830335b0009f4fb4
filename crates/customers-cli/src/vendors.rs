//! The CLI's vendor registry: the one file of this crate that names vendors. It maps the
//! facade's vendors onto the fakes of `fake-vendors` (which depend on nothing of the facade)
//! and says which credentials each fake accepts.

use customers::Vendor;

/// The fake that stands in for `vendor`.
pub fn fake(vendor: Vendor) -> fake_vendors::Vendor {
    use fake_vendors::Vendor as Fake;
    match vendor {
        Vendor::Hoko => Fake::Hoko,
        Vendor::CareCloud => Fake::CareCloud,
        Vendor::BotPenguin => Fake::BotPenguin,
        Vendor::Gleantap => Fake::Gleantap,
        Vendor::HelpCrunch => Fake::HelpCrunch,
    }
}

/// The credential variables `vendor`'s spec names, with the values its fake accepts.
pub fn fake_env(vendor: Vendor) -> Vec<(&'static str, &'static str)> {
    customers::Credentials::env_for(vendor, fake_vendors::accepted_credentials(fake(vendor)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_has_a_fake_whose_credentials_are_complete() {
        for vendor in Vendor::ALL {
            assert_eq!(fake(vendor).as_str(), vendor.as_str());
            let env = fake_env(vendor);
            let credentials = customers::Credentials::from_lookup(vendor, |name| {
                env.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            })
            .expect("the fake's credentials are complete");
            assert_eq!(credentials.vendor(), vendor);
        }
    }
}

//! The environment a fake vendor's credentials take: the variables its vendor's spec names,
//! with the values the fake accepts. Shared by the CLI's tests (`#[path]`).

/// The credential variables for `vendor`'s fake, with the values it accepts.
pub fn fake_env(vendor: fake_vendors::Vendor) -> Vec<(&'static str, &'static str)> {
    let facade: customers::Vendor = match vendor.as_str().parse() {
        Ok(facade) => facade,
        Err(_) => panic!("the fake of {} stands in for no vendor", vendor.as_str()),
    };
    customers::Credentials::env_for(facade, fake_vendors::accepted_credentials(vendor))
}

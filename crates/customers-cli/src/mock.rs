//! `customers mock` and `customers demo`: the fakes of `fake-vendors`.

use std::io::Write;

use customers::{CareCloudAuth, Credentials, Vendor};
use fake_vendors::{FakeConfig, FakeServer};

use crate::args::{DemoArgs, MockArgs};
use crate::exit::Failure;

/// `customers mock`: serve until interrupted; the base URL is the first line of stdout.
pub async fn serve(args: MockArgs) -> Result<(), Failure> {
    let vendor = Vendor::from(args.vendor);
    let mut config = FakeConfig::new(vendor)
        .customers(args.customers)
        .seed(args.seed)
        .fault_rate(args.fault_rate);
    config.port = args.port;
    config.rate_limit_per_minute = args.rate_limit_per_minute;
    let fake = FakeServer::start(config)
        .await
        .map_err(|e| Failure::usage(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", fake.base_url())?;
    stdout.flush()?;
    drop(stdout);
    eprintln!(
        "fake {vendor} at {}; credentials: {}",
        fake.base_url(),
        credential_hint(vendor)
    );
    eprintln!("press Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}

/// `customers demo`: start a fake and list it through the same path as `customers list`.
pub async fn demo(args: DemoArgs) -> Result<(), Failure> {
    let vendor = Vendor::from(args.vendor);
    let config = FakeConfig::new(vendor)
        .customers(args.customers)
        .fault_rate(args.fault_rate);
    let fake = FakeServer::start(config)
        .await
        .map_err(|e| Failure::usage(format!("cannot start the fake: {e}")))?;
    if !args.output.quiet {
        eprintln!("listing a fake {vendor} at {}", fake.base_url());
    }
    crate::list::export(
        vendor,
        fake_credentials(vendor),
        Some(fake.base_url()),
        &args.output,
    )
    .await
}

/// The credentials every fake accepts.
pub fn fake_credentials(vendor: Vendor) -> Credentials {
    use fake_vendors::*;
    match vendor {
        Vendor::Hoko => Credentials::Hoko {
            api_key: API_KEY.into(),
        },
        Vendor::CareCloud => Credentials::CareCloud(CareCloudAuth::Login {
            app_id: CARECLOUD_APP_ID.into(),
            login: CARECLOUD_LOGIN.into(),
            password: CARECLOUD_PASSWORD.into(),
        }),
        Vendor::BotPenguin => Credentials::BotPenguin {
            token: API_KEY.into(),
        },
        Vendor::Gleantap => Credentials::Gleantap {
            api_key: API_KEY.into(),
            secret_key: SECRET_KEY.into(),
            app_id: APP_ID.into(),
        },
        Vendor::HelpCrunch => Credentials::HelpCrunch {
            api_key: API_KEY.into(),
        },
    }
}

fn credential_hint(vendor: Vendor) -> String {
    use fake_vendors::*;
    match vendor {
        Vendor::Hoko => format!("HOKO_API_KEY={API_KEY}"),
        Vendor::CareCloud => format!(
            "CARECLOUD_TOKEN={CARECLOUD_TOKEN} (or CARECLOUD_LOGIN={CARECLOUD_LOGIN} CARECLOUD_PASSWORD={CARECLOUD_PASSWORD} CARECLOUD_APP_ID={CARECLOUD_APP_ID})"
        ),
        Vendor::BotPenguin => format!("BOTPENGUIN_API_KEY={API_KEY}"),
        Vendor::Gleantap => format!(
            "GLEANTAP_API_KEY={API_KEY} GLEANTAP_SECRET_KEY={SECRET_KEY} GLEANTAP_APP_ID={APP_ID}"
        ),
        Vendor::HelpCrunch => format!("HELPCRUNCH_API_KEY={API_KEY}"),
    }
}

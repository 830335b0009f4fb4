//! `tap-customers`: the Singer tap as one executable, as Meltano's custom extractors and
//! Singer pipelines name taps. It runs `customers tap ARGS…` with the `customers` installed
//! beside it.

#[path = "../exec_beside.rs"]
mod exec_beside;

fn main() -> std::process::ExitCode {
    exec_beside::run("tap-customers", "tap")
}

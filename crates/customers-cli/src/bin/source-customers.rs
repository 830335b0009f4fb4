//! `source-customers`: the Airbyte source as one executable, for tools that run one per
//! source (PyAirbyte's `local_executable`, a connector image's entry point). It runs
//! `customers airbyte ARGS…` with the `customers` installed beside it.

#[path = "../exec_beside.rs"]
mod exec_beside;

fn main() -> std::process::ExitCode {
    exec_beside::run("source-customers", "airbyte")
}

//! Exit codes: 0 done, 1 a vendor or network error, 2 usage or configuration.

use std::process::ExitCode;

/// Why the command failed, and so its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// A usage or configuration problem: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// A vendor or network error: exit code 1.
    pub fn vendor(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl From<customers::Error> for Failure {
    fn from(err: customers::Error) -> Self {
        use customers::ErrorKind;
        match err.kind() {
            ErrorKind::Configuration | ErrorKind::InvalidQuery => Failure::usage(err.to_string()),
            _ => Failure::vendor(err.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::vendor(format!("cannot write the output: {err}"))
    }
}

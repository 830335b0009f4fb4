//! Exit codes: 0 done, 1 a vendor or network error, 2 usage or configuration, 3 the output
//! could not be written, 130 interrupted.

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

    /// The output could not be written (a full disk, a closed file): exit code 3, never
    /// reported as the vendor's fault.
    pub fn output(message: impl Into<String>) -> Self {
        Failure {
            code: 3,
            message: message.into(),
        }
    }

    /// Ctrl-C: exit code 130, as shells report a command ended by SIGINT.
    pub fn interrupted(message: impl Into<String>) -> Self {
        Failure {
            code: 130,
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
            ErrorKind::Configuration | ErrorKind::InvalidQuery => Failure::usage(with_causes(&err)),
            _ => Failure::vendor(with_causes(&err)),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::output(format!("cannot write the output: {err}"))
    }
}

/// `err`'s message followed by each underlying cause it does not already say.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(current) = cause {
        let said = current.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = current.source();
    }
    text
}

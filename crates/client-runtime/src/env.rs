//! Credentials from environment variables: what each generated crate's
//! `Credentials::from_env` reads with, the variables named by its spec's `x-env`.

/// Environment variables that are not set, or are blank. Its `Display` names every one, so
/// that a user fixes them all in one go; it never holds a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingEnv {
    /// The variables missing, in the order they were asked for.
    pub missing: Vec<String>,
}

impl std::fmt::Display for MissingEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = if self.missing.len() == 1 { "" } else { "s" };
        write!(
            f,
            "missing environment variable{s}: {}",
            self.missing.join(", ")
        )
    }
}

impl std::error::Error for MissingEnv {}

/// The values of `names`, read with `lookup` (`std::env::var` for the process's
/// environment, or a profile's mapping), in order; a blank value counts as missing. Every
/// missing variable is named in the one error.
pub fn read_env(
    names: &[&str],
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, MissingEnv> {
    let mut values = Vec::with_capacity(names.len());
    let mut missing = Vec::new();
    for name in names {
        match lookup(name).filter(|value| !value.trim().is_empty()) {
            Some(value) => values.push(value),
            None => missing.push((*name).to_owned()),
        }
    }
    if missing.is_empty() {
        Ok(values)
    } else {
        Err(MissingEnv { missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_or_blank_variable_is_named_and_no_value_shown() {
        let lookup = |name: &str| match name {
            "A" => Some("secret-a".to_owned()),
            "B" => Some("  ".to_owned()),
            _ => None,
        };
        assert_eq!(read_env(&["A"], lookup), Ok(vec!["secret-a".to_owned()]));
        let err = read_env(&["A", "B", "C"], lookup).expect_err("B and C are missing");
        assert_eq!(err.missing, ["B", "C"]);
        assert_eq!(err.to_string(), "missing environment variables: B, C");
        assert!(!format!("{err} {err:?}").contains("secret-a"));
        let one = read_env(&["C"], lookup).expect_err("C is missing");
        assert_eq!(one.to_string(), "missing environment variable: C");
    }
}

//! Normalizing the vendors' text fields.

/// `None` for a missing, empty or whitespace-only string; the value otherwise, unchanged.
pub(crate) fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).map(str::to_owned)
}

/// `None` for a missing, empty or whitespace-only string; the value otherwise, moved.
pub(crate) fn non_empty_owned(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// An email address, trimmed; `None` when nothing is left.
pub(crate) fn email(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// An email address, trimmed; `None` when nothing is left. Reuses `value`'s allocation when
/// there is nothing to trim.
pub(crate) fn email_owned(value: Option<String>) -> Option<String> {
    let value = value?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == value.len() {
        Some(value)
    } else {
        Some(trimmed.to_owned())
    }
}

/// The display name from first and last name: both joined by a space, or whichever exists.
pub(crate) fn join_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_strings_become_none() {
        assert_eq!(non_empty(Some("")), None);
        assert_eq!(non_empty(Some("  ")), None);
        assert_eq!(non_empty(None), None);
        assert_eq!(non_empty(Some(" Jan ")), Some(" Jan ".to_owned()));
    }

    #[test]
    fn emails_are_trimmed() {
        assert_eq!(email(Some("  a@b.cz \n")), Some("a@b.cz".to_owned()));
        assert_eq!(email(Some(" ")), None);
        assert_eq!(
            email_owned(Some(" a@b.cz ".into())),
            Some("a@b.cz".to_owned())
        );
        assert_eq!(
            email_owned(Some("a@b.cz".into())),
            Some("a@b.cz".to_owned())
        );
        assert_eq!(email_owned(Some("  ".into())), None);
    }

    #[test]
    fn names_join_what_exists() {
        assert_eq!(
            join_name(Some("Jan"), Some("Novák")),
            Some("Jan Novák".to_owned())
        );
        assert_eq!(join_name(Some("Jan"), Some("")), Some("Jan".to_owned()));
        assert_eq!(join_name(None, Some(" Novák ")), Some("Novák".to_owned()));
        assert_eq!(join_name(Some(""), None), None);
    }
}

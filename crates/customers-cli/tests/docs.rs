//! The guides stay true: every relative link in README.md, ARCHITECTURE.md, docs/ and the
//! crates' READMEs resolves (file and heading), and every `customers …` command in a fenced
//! `sh` block parses: the built binary, given the command's arguments and `--help`, exits 0
//! (clap refuses an unknown subcommand, flag or value before it reads `--help`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Markdown files the guides are made of.
fn guides() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    for folder in ["docs", "crates"] {
        for entry in std::fs::read_dir(root.join(folder)).expect("the folder is there") {
            let path = entry.expect("a folder entry").path();
            let readme = path.join("README.md");
            if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            } else if readme.is_file() {
                files.push(readme);
            }
        }
    }
    files.sort();
    files
}

/// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces
/// as `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The lines of `text` outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// The anchors of `text`'s headings.
fn anchors(text: &str) -> Vec<String> {
    prose(text)
        .into_iter()
        .filter(|line| line.starts_with('#'))
        .map(|line| slug(line.trim_start_matches('#')))
        .collect()
}

/// The targets of `text`'s inline links `[…](target)`, outside code.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in prose(text) {
        // Code spans may hold brackets that are not links.
        let line: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_relative_link_in_the_guides_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in guides() {
        let text = std::fs::read_to_string(&file).expect("the guide reads");
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                file.parent().expect("a guide is in a folder").join(path)
            };
            if !resolved.exists() {
                broken.push(format!("{}: {target} (no such file)", file.display()));
                continue;
            }
            if let Some(anchor) = anchor {
                let heading_text = std::fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&heading_text).iter().any(|a| a == anchor) {
                    broken.push(format!("{}: {target} (no such heading)", file.display()));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} relative links found: is the parser right?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The shell commands of `text`'s ```sh blocks, continuation lines joined and comments
/// dropped, split at pipes, `&&`, `;` and `&`.
fn shell_commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        let fence = line.trim_start();
        if fence.starts_with("```") {
            in_sh = !in_sh && fence.trim_start_matches('`').trim() == "sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = match line.find(" #") {
            Some(at) => &line[..at],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        // `2>&1` is a redirection, not a command ending in `&`.
        let whole = std::mem::take(&mut pending).replace(">&", ">");
        for part in whole.split(['|', ';', '&']) {
            if !part.trim().is_empty() {
                commands.push(part.trim().to_owned());
            }
        }
    }
    commands
}

/// `words` without shell redirections (`> FILE`, `2>&1`, `<FILE`).
fn without_redirections(words: Vec<String>) -> Vec<String> {
    let mut kept = Vec::new();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let bare = word.trim_start_matches(|c: char| c.is_ascii_digit());
        if matches!(bare, ">" | ">>" | "<") {
            words.next();
        } else if !(bare.starts_with('>') || bare.starts_with('<')) {
            kept.push(word);
        }
    }
    kept
}

/// The arguments `command` gives `customers`, if it runs `customers` (directly, after
/// variable assignments, or through `cargo run -p customers-cli --`).
fn customers_arguments(command: &str) -> Option<Vec<String>> {
    let words = without_redirections(shlex::split(command)?);
    let mut words = words
        .into_iter()
        .skip_while(|word| word.contains('=') && !word.starts_with('-'));
    let first = words.next()?;
    let rest: Vec<String> = words.collect();
    if first == "customers" {
        return Some(rest);
    }
    let cargo_run = first == "cargo"
        && rest.first().is_some_and(|w| w == "run")
        && rest
            .windows(2)
            .any(|w| w[0] == "-p" && w[1] == "customers-cli");
    if cargo_run {
        let at = rest.iter().position(|w| w == "--")?;
        return Some(rest[at + 1..].to_vec());
    }
    None
}

#[test]
fn every_customers_command_in_the_guides_parses() {
    let mut refused = Vec::new();
    let mut checked = 0;
    for file in guides() {
        let text = std::fs::read_to_string(&file).expect("the guide reads");
        for command in shell_commands(&text) {
            let Some(arguments) = customers_arguments(&command) else {
                continue;
            };
            checked += 1;
            let output = Command::new(env!("CARGO_BIN_EXE_customers"))
                .args(&arguments)
                .arg("--help")
                .env_remove("CUSTOMERS_CONFIG")
                .output()
                .expect("customers runs");
            if !output.status.success() {
                refused.push(format!(
                    "{}: `{command}`: {}",
                    file.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} commands found: is the parser right?"
    );
    assert!(
        refused.is_empty(),
        "commands that do not parse:\n{}",
        refused.join("\n\n")
    );
}

#[test]
fn the_parsers_find_what_they_should() {
    let text = "# A `heading`, here\n\n[a](b.md#c) `[not](link)` [d](#e)\n\n```sh\n\
                X=1 customers list --vendor hoko \\\n  --format csv > out.csv 2>&1 | head # comment\n\
                cargo run -q -p customers-cli -- demo --vendor hoko\nls -l\n```\n";
    assert_eq!(anchors(text), ["a-heading-here"]);
    assert_eq!(links(text), ["b.md#c", "#e"]);
    let commands = shell_commands(text);
    assert_eq!(
        customers_arguments(&commands[0]),
        Some(
            ["list", "--vendor", "hoko", "--format", "csv"]
                .map(String::from)
                .to_vec()
        )
    );
    assert_eq!(
        customers_arguments(&commands[2]),
        Some(["demo", "--vendor", "hoko"].map(String::from).to_vec())
    );
    assert_eq!(customers_arguments(&commands[3]), None);
}

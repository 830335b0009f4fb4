//! The impact report as text (a terminal), Markdown (a pull-request comment) or JSON.

use std::fmt::Write;

use super::rust_api::Level;
use super::spec_rules::Severity;
use super::{CrateImpact, Impact};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Text,
    /// For a pull-request comment.
    Markdown,
    /// For tools.
    Json,
}

/// The report in `format`.
pub fn render(impact: &Impact, format: Format) -> String {
    match format {
        Format::Text => text(impact),
        Format::Markdown => markdown(impact),
        Format::Json => serde_json::to_string_pretty(impact).unwrap_or_default() + "\n",
    }
}

fn version_line(c: &CrateImpact) -> String {
    match (&c.base_version, &c.needed) {
        (Some(base), Some(needed)) if c.bumped_enough && needed == base => {
            format!("{} (no bump needed)", c.version)
        }
        (Some(base), Some(needed)) if c.bumped_enough => {
            format!("{base} -> {} (needs {needed})", c.version)
        }
        (Some(base), Some(needed)) => {
            format!("{base} -> {}: NOT BUMPED ENOUGH, needs {needed}", c.version)
        }
        _ => format!("{} (new crate)", c.version),
    }
}

fn level_text(level: Level) -> &'static str {
    match level {
        Level::None => "no change",
        Level::Patch => "no public API change",
        Level::Additive => "additions only",
        Level::Breaking => "BREAKING",
    }
}

fn text(impact: &Impact) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "impact against {} ({})",
        impact.base,
        &impact.base_commit[..impact.base_commit.len().min(12)]
    );
    if impact.crates.is_empty() {
        let _ = writeln!(out, "no spec, generated crate or client-runtime changed");
    }
    for c in &impact.crates {
        let _ = writeln!(
            out,
            "\n{}: Rust API {}; version {}",
            c.name,
            level_text(c.level),
            version_line(c)
        );
        if c.vendor.is_some() {
            let _ = writeln!(
                out,
                "  spec: {} change(s), {} break(s) deployed clients",
                c.spec_changes.len(),
                c.breaking_spec_changes()
            );
        }
        for s in &c.spec_changes {
            let tag = match s.severity {
                Severity::Breaking => "BREAKS",
                Severity::Compatible => "ok    ",
            };
            let _ = writeln!(
                out,
                "    {tag} {}: {} {} {}: {} -> {}\n           old {}\n           new {}",
                s.rule,
                s.operation,
                s.at,
                s.aspect,
                shown(&s.old),
                shown(&s.new),
                s.old_path,
                s.new_path
            );
        }
        let _ = writeln!(out, "  rust API: {} change(s)", c.api_changes.len());
        for a in &c.api_changes {
            let _ = writeln!(
                out,
                "    {} {} {} {}{}",
                a.change,
                a.kind,
                a.path,
                match a.change {
                    "added" => a.new.clone(),
                    "removed" => a.old.clone(),
                    _ => format!("{} -> {}", a.old, a.new),
                },
                if a.level == Level::Breaking {
                    " (breaking)"
                } else {
                    ""
                }
            );
        }
    }
    snapshots_text(impact, &mut out, false);
    out
}

/// A value, or `(nothing)` where a side says nothing.
pub fn shown(value: &str) -> &str {
    if value.is_empty() { "(nothing)" } else { value }
}

fn snapshots_text(impact: &Impact, out: &mut String, markdown: bool) {
    let Some(snapshots) = &impact.snapshots else {
        return;
    };
    let heading = if markdown {
        "\n### Snapshots\n"
    } else {
        "\nsnapshots:"
    };
    let _ = writeln!(out, "{heading}");
    for failure in &snapshots.failures {
        let _ = writeln!(
            out,
            "{}the snapshot tests FAIL: {failure}",
            if markdown { "- " } else { "  " }
        );
    }
    let snapshots = &snapshots.changes;
    if snapshots.is_empty() {
        let _ = writeln!(
            out,
            "{}no snapshot changes",
            if markdown { "" } else { "  " }
        );
    }
    for s in snapshots {
        let emptied = s.fields.iter().filter(|f| f.emptied).count();
        let mut fields: Vec<&str> = s.fields.iter().map(|f| f.field.as_str()).collect();
        fields.sort_unstable();
        fields.dedup();
        let _ = writeln!(
            out,
            "{}{}: {}{} common field(s) change: {}{}",
            if markdown { "- `" } else { "  " },
            s.snapshot,
            if markdown { "` " } else { "" },
            s.fields.len(),
            fields.join(", "),
            if emptied > 0 {
                format!(
                    " ({emptied} go from a value to EMPTY: a regression until proven otherwise)"
                )
            } else {
                String::new()
            }
        );
    }
}

fn markdown(impact: &Impact) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Impact against `{}` (`{}`)\n",
        impact.base,
        &impact.base_commit[..impact.base_commit.len().min(12)]
    );
    if impact.crates.is_empty() {
        let _ = writeln!(out, "No spec, generated crate or client-runtime changed.");
    } else {
        let _ = writeln!(
            out,
            "| crate | spec changes | break deployed clients | Rust API | version |\n|---|---|---|---|---|"
        );
        for c in &impact.crates {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} ({} change(s)) | {} |",
                c.name,
                if c.vendor.is_some() {
                    c.spec_changes.len().to_string()
                } else {
                    "n/a".to_owned()
                },
                if c.vendor.is_some() {
                    c.breaking_spec_changes().to_string()
                } else {
                    "n/a".to_owned()
                },
                level_text(c.level),
                c.api_changes.len(),
                version_line(c)
            );
        }
    }
    for c in &impact.crates {
        let _ = writeln!(
            out,
            "\n<details><summary><code>{}</code>: details</summary>\n",
            c.name
        );
        if !c.spec_changes.is_empty() {
            let _ = writeln!(
                out,
                "| spec rule | | operation | where | old | new |\n|---|---|---|---|---|---|"
            );
            for s in &c.spec_changes {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | `{}` {} | `{}` | `{}` |",
                    s.rule,
                    match s.severity {
                        Severity::Breaking => "**breaks**",
                        Severity::Compatible => "compatible",
                    },
                    s.operation,
                    s.at,
                    s.aspect,
                    shown(&s.old),
                    shown(&s.new)
                );
            }
            let _ = writeln!(out);
        }
        if !c.api_changes.is_empty() {
            let _ = writeln!(out, "| Rust API | item | old | new |\n|---|---|---|---|");
            for a in &c.api_changes {
                let _ = writeln!(
                    out,
                    "| {}{} | {} `{}` | `{}` | `{}` |",
                    a.change,
                    if a.level == Level::Breaking {
                        " (**breaking**)"
                    } else {
                        ""
                    },
                    a.kind,
                    a.path,
                    shown(&a.old),
                    shown(&a.new)
                );
            }
        }
        let _ = writeln!(out, "\n</details>");
    }
    snapshots_text(impact, &mut out, true);
    out
}

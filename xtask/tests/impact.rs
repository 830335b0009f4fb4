//! `cargo xtask impact` on real edits: a scratch git repository holding a copy of the
//! workspace's specs and crates, a commit, one edit of a spec regenerated with the real
//! `cargo xtask codegen`, a second commit, then the real `cargo xtask impact --base HEAD~1`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::{copy_dir, xtask};
use xtask::{vendors, workspace_root};

mod support;

fn run(root: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(root)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{program}: {err}"))
}

fn git(root: &Path, args: &[&str]) {
    let mut all = vec!["-c", "user.name=t", "-c", "user.email=t@example.com"];
    all.extend_from_slice(args);
    let output = run(root, "git", &all);
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A repository with the workspace's specs, client crates and runtime in one commit.
fn scratch() -> tempfile::TempDir {
    let from = workspace_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    copy_dir(&from.join("specs"), &root.join("specs"));
    std::fs::copy(from.join("Cargo.toml"), root.join("Cargo.toml")).expect("copy");
    let mut crates = vec![std::path::PathBuf::from("crates/client-runtime")];
    crates.extend(
        vendors::load(&from)
            .expect("vendors")
            .into_iter()
            .map(|v| v.crate_dir),
    );
    for dir in crates {
        std::fs::create_dir_all(root.join(&dir)).expect("mkdir");
        std::fs::copy(
            from.join(&dir).join("Cargo.toml"),
            root.join(&dir).join("Cargo.toml"),
        )
        .expect("copy manifest");
        copy_dir(&from.join(&dir).join("src"), &root.join(&dir).join("src"));
    }
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    dir
}

/// Applies `edit` to the vendor's spec, regenerates, commits, and returns the JSON report.
fn impact_of(
    vendor: &str,
    spec: &str,
    edit: impl Fn(&str) -> String,
) -> (tempfile::TempDir, Value) {
    let dir = scratch();
    let root = dir.path();
    let path = root.join("specs").join(spec);
    let before = std::fs::read_to_string(&path).expect("spec");
    let after = edit(&before);
    assert_ne!(before, after, "{vendor}: the edit changed nothing");
    std::fs::write(&path, after).expect("write spec");
    let codegen = xtask(root, &["codegen", vendor]);
    assert!(
        codegen.status.success(),
        "codegen: {}",
        String::from_utf8_lossy(&codegen.stderr)
    );
    git(root, &["commit", "-q", "-a", "-m", "edit"]);
    let output = xtask(
        root,
        &[
            "impact",
            "--base",
            "HEAD~1",
            "--format",
            "json",
            "--no-snapshots",
        ],
    );
    assert!(
        output.status.success(),
        "impact: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    (dir, report)
}

/// The one crate of the report, checked against what the edit should give.
/// `krate`'s version in the workspace, which each scratch copy starts from.
fn version(krate: &str) -> xtask::impact::version::Version {
    xtask::release::manifest_version(&workspace_root(), &Path::new("crates").join(krate))
        .expect("the crate's manifest names a version")
}

/// [`version`] as text.
fn current(krate: &str) -> String {
    version(krate).to_string()
}

/// How far a change needs `krate`'s version bumped (a 0.x crate: breaking bumps the minor).
#[derive(Clone, Copy)]
enum Bump {
    Patch,
    Minor,
}

/// `krate`'s current version bumped by `bump`.
fn bumped(krate: &str, bump: Bump) -> String {
    let v = version(krate);
    match bump {
        Bump::Patch => format!("{}.{}.{}", v.major, v.minor, v.patch + 1),
        Bump::Minor => format!("{}.{}.0", v.major, v.minor + 1),
    }
}

fn assert_impact(
    report: &Value,
    crate_name: &str,
    rule: &str,
    severity: &str,
    api: Option<(&str, &str)>,
    needed: Bump,
) {
    let crates = report["crates"].as_array().expect("crates");
    assert_eq!(crates.len(), 1, "{report:#}");
    let found = &crates[0];
    assert_eq!(found["name"], crate_name);
    let rules: Vec<(&str, &str)> = found["spec_changes"]
        .as_array()
        .expect("spec changes")
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap_or(""),
                c["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        rules.contains(&(rule, severity)),
        "{crate_name}: {rule} in {rules:?}"
    );
    let api_changes = found["api_changes"].as_array().expect("api changes");
    match api {
        Some((change, path)) => assert!(
            api_changes
                .iter()
                .any(|c| c["change"] == change && c["path"] == path),
            "{crate_name}: {change} {path} in {api_changes:#?}"
        ),
        None => assert!(api_changes.is_empty(), "{crate_name}: {api_changes:#?}"),
    }
    assert_eq!(found["base_version"], current(crate_name).as_str());
    assert_eq!(
        found["needed"],
        bumped(crate_name, needed).as_str(),
        "{found:#}"
    );
}

fn insert_after(text: &str, anchor: &str, addition: &str) -> String {
    let at = text
        .find(anchor)
        .unwrap_or_else(|| panic!("`{anchor}` not found"))
        + anchor.len();
    format!("{}{addition}{}", &text[..at], &text[at..])
}

#[test]
fn an_optional_response_property_added() {
    let (_dir, report) = impact_of("hoko", "hoko.yaml", |s| {
        insert_after(
            s,
            "      required: [id]\n      properties:\n",
            "        tier:\n          type: string\n          nullable: true\n",
        )
    });
    // Compatible for deployed clients; a new public field of a struct with public fields
    // breaks struct literals, so Cargo's rules want a breaking bump.
    assert_impact(
        &report,
        "hoko-client",
        "response-property-added",
        "compatible",
        Some(("added", "types::Customer::tier")),
        Bump::Minor,
    );
}

#[test]
fn a_property_made_nullable() {
    let (_dir, report) = impact_of("hoko", "hoko.yaml", |s| {
        s.replacen("        id:\n          type: string\n          format: uuid\n", "        id:\n          type: string\n          format: uuid\n          nullable: true\n", 1)
    });
    assert_impact(
        &report,
        "hoko-client",
        "response-property-became-nullable",
        "breaking",
        Some(("changed", "types::Customer::id")),
        Bump::Minor,
    );
}

#[test]
fn a_type_changed_doi_email() {
    let (dir, report) = impact_of("carecloud", "carecloud.yaml", |s| {
        s.replacen(
            "        doi_email:\n          type: string\n",
            "        doi_email:\n          type: boolean\n",
            1,
        )
    });
    assert_impact(
        &report,
        "carecloud-client",
        "response-property-type-changed",
        "breaking",
        Some(("changed", "types::Customer::doi_email")),
        Bump::Minor,
    );
    let change = report["crates"][0]["api_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["path"] == "types::Customer::doi_email")
        .cloned()
        .expect("the field");
    assert_eq!(
        (change["old"].as_str(), change["new"].as_str()),
        (Some("Option<String>"), Some("Option<bool>"))
    );
    // --check fails until the crate's version is bumped as far as the change needs.
    let root = dir.path();
    let check = xtask(
        root,
        &["impact", "--base", "HEAD~1", "--no-snapshots", "--check"],
    );
    assert_eq!(check.status.code(), Some(1));
    let (was, needs) = (
        current("carecloud-client"),
        bumped("carecloud-client", Bump::Minor),
    );
    assert!(
        String::from_utf8_lossy(&check.stderr)
            .contains(&format!("carecloud-client is {was} but needs {needs}"))
    );
    let manifest = root.join("crates/carecloud-client/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text.replacen(
            &format!("version = \"{was}\""),
            &format!("version = \"{needs}\""),
            1,
        ),
    )
    .expect("bump");
    let check = xtask(
        root,
        &[
            "impact",
            "--base",
            "HEAD~1",
            "--no-snapshots",
            "--check",
            "--format",
            "markdown",
        ],
    );
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let markdown = String::from_utf8_lossy(&check.stdout);
    assert!(
        markdown.contains("| `carecloud-client` | 2 | 2 | BREAKING"),
        "{markdown}"
    );
    assert!(markdown.contains("<details>"), "{markdown}");
}

#[test]
fn an_enum_value_added_to_a_response() {
    let (_dir, report) = impact_of("carecloud", "carecloud.yaml", |s| {
        s.replacen(
            "          enum: [0, 1, 2, null]\n          description: 0 deleted",
            "          enum: [0, 1, 2, 3, null]\n          description: 0 deleted",
            1,
        )
    });
    // An integer enum is a validated newtype: its public API does not change.
    assert_impact(
        &report,
        "carecloud-client",
        "response-enum-value-added",
        "breaking",
        None,
        Bump::Patch,
    );
}

#[test]
fn an_enum_value_removed_from_a_request_parameter() {
    let (_dir, report) = impact_of("hoko", "hoko.yaml", |s| {
        s.replacen("      enum: [asc, desc]\n", "      enum: [desc]\n", 1)
    });
    assert_impact(
        &report,
        "hoko-client",
        "request-enum-value-removed",
        "breaking",
        Some(("removed", "types::SortOrder::Asc")),
        Bump::Minor,
    );
}

#[test]
fn a_required_query_parameter_added() {
    let (_dir, report) = impact_of("hoko", "hoko.yaml", |s| {
        insert_after(
            s,
            "      parameters:\n",
            "        - name: tenant\n          in: query\n          required: true\n          schema:\n            type: string\n",
        )
    });
    // The API only grows, but calls that built before now fail: breaking.
    assert_impact(
        &report,
        "hoko-client",
        "request-required-property-added",
        "breaking",
        Some(("added", "builder::GetCustomers::tenant")),
        Bump::Minor,
    );
}

#[test]
fn an_operation_removed() {
    let (_dir, report) = impact_of("helpcrunch", "helpcrunch.yaml", |s| {
        let start = s.find("  /customers/search:\n").expect("the search path");
        // Up to the next path, or to `components:` when it is the last.
        let rest = &s[start + 2..];
        let end = ["\n  /", "\ncomponents:"]
            .iter()
            .filter_map(|next| rest.find(next))
            .min()
            .map_or(s.len(), |i| start + 2 + i + 1);
        format!("{}{}", &s[..start], &s[end..])
    });
    assert_impact(
        &report,
        "helpcrunch-client",
        "operation-removed",
        "breaking",
        Some(("removed", "Client::search_customers")),
        Bump::Minor,
    );
}

#[test]
fn a_description_only_change() {
    let (_dir, report) = impact_of("hoko", "hoko.yaml", |s| {
        s.replacen("A Hoko customer.", "One Hoko customer.", 1)
    });
    assert_impact(
        &report,
        "hoko-client",
        "description-or-example-only",
        "compatible",
        None,
        Bump::Patch,
    );
}

#[test]
fn release_bumps_what_the_impact_needs_records_it_and_logs_it() {
    let dir = scratch();
    let root = dir.path();
    let path = root.join("specs/carecloud.yaml");
    let spec = std::fs::read_to_string(&path).expect("spec");
    let edited = spec.replacen(
        "        doi_email:\n          type: string\n",
        "        doi_email:\n          type: boolean\n",
        1,
    );
    std::fs::write(&path, edited).expect("write");
    assert!(xtask(root, &["codegen", "carecloud"]).status.success());
    // The spec moved, its crate's version did not: the check names the fix.
    let check = xtask(root, &["codegen", "--check"]);
    assert!(!check.status.success());
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(
        said.contains("run `cargo xtask release carecloud-client`"),
        "{said}"
    );
    let release = xtask(root, &["release", "carecloud-client"]);
    let said = String::from_utf8_lossy(&release.stderr);
    assert!(release.status.success(), "{said}");
    let (was, needs) = (
        current("carecloud-client"),
        bumped("carecloud-client", Bump::Minor),
    );
    assert!(
        said.contains(&format!("carecloud-client: {was} -> {needs}")),
        "{said}"
    );
    let manifest =
        std::fs::read_to_string(root.join("crates/carecloud-client/Cargo.toml")).expect("read");
    assert!(
        manifest.contains(&format!("version = \"{needs}\"")),
        "{manifest}"
    );
    let releases = xtask::release::load(root).expect("releases");
    let recorded = releases
        .iter()
        .find(|r| r.name == "carecloud-client")
        .expect("recorded");
    assert_eq!(recorded.version, needs);
    let changelog =
        std::fs::read_to_string(root.join("crates/carecloud-client/CHANGELOG.md")).expect("log");
    assert!(
        changelog.starts_with(&format!("# Changelog\n\n## {needs} (")),
        "{changelog}"
    );
    assert!(
        changelog.contains("`response-property-type-changed` (breaking)"),
        "{changelog}"
    );
    assert!(
        changelog.contains("changed field `types::Customer::doi_email`"),
        "{changelog}"
    );
    // Everything agrees again.
    assert!(xtask(root, &["codegen", "--check"]).status.success());
    let impact = xtask(root, &["impact", "--no-snapshots", "--check"]);
    assert!(
        impact.status.success(),
        "{}",
        String::from_utf8_lossy(&impact.stderr)
    );
    // Unchanged crates kept their versions.
    let hoko = releases
        .iter()
        .find(|r| r.name == "hoko-client")
        .expect("hoko");
    assert_eq!(hoko.version, current("hoko-client"));
}

//! The crate docs' filter table is generated from `query::support`; this keeps them equal.
//! To refresh it: `UPDATE_DOCS=1 cargo test -p customers --test filter_table`.

const LIB: &str = "src/lib.rs";
const START: &str = "//! <!-- filter-table:start -->\n";
const END: &str = "//! <!-- filter-table:end -->\n";

#[test]
fn the_docs_filter_table_is_the_support_function() {
    let path = format!("{}/{LIB}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("lib.rs");
    let table: String = customers::query::support_table()
        .lines()
        .map(|line| format!("//! {line}\n"))
        .collect();
    let start = text.find(START).expect("start marker") + START.len();
    let end = text.find(END).expect("end marker");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).expect("write lib.rs");
        return;
    }
    assert!(
        text[start..end] == table,
        "the filter table in {LIB} is stale; run UPDATE_DOCS=1 cargo test -p customers --test filter_table\n{table}"
    );
}

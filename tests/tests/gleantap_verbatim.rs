//! `specs/gleantap.json` is the JSON block of the vendor's page (kept in
//! `specs/seeds/gleantap.md`) byte for byte; fixes live in the overlay.

use xtask::workspace_root;

#[test]
fn gleantap_spec_is_the_seed_json_block_byte_for_byte() {
    let root = workspace_root();
    let seed = std::fs::read_to_string(root.join("specs/seeds/gleantap.md")).expect("seed page");
    let start = seed.find("```json\n").expect("the page has a JSON block") + "```json\n".len();
    let len = seed[start..].find("\n```").expect("the JSON block ends");
    let block = &seed[start..start + len];

    let spec = std::fs::read_to_string(root.join("specs/gleantap.json")).expect("spec");
    let spec = spec.strip_suffix('\n').unwrap_or(&spec);
    assert!(
        spec == block,
        "specs/gleantap.json differs from the seed's JSON block"
    );
    assert!(block.contains("\"operationId\":\"34ca237468cb769b2d1e7b41f622f8aa\""));
}

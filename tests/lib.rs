//! End-to-end tests of the workspace live in `tests/tests/`. The README is this crate's doc,
//! so its Rust example is compiled by `cargo test`.
#![doc = include_str!("../README.md")]

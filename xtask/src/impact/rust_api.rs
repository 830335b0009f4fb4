//! The public Rust API of a generated crate, read from its source with `syn` (no build), and
//! what changed between two versions of it. Unlike cargo-semver-checks, a field whose type
//! changed is a change here.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use quote::ToTokens;
use serde::Serialize;
use syn::{Fields, ImplItem, Item, Visibility};

/// How much a change asks of the crate's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Nothing public changed.
    None,
    /// Nothing public changed, but the crate did (its spec, its docs).
    Patch,
    /// Something public was added.
    Additive,
    /// Something public was removed or changed: code using it may no longer build.
    Breaking,
}

/// One public item: its kind and its signature as text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Api {
    kind: &'static str,
    signature: String,
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiChange {
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// `type`, `field`, `variant`, `method`, `const`, `fn`, ...
    pub kind: &'static str,
    /// `types::Customer::doi_email`, `builder::GetCustomers::count`, `Client::get_customers`.
    pub path: String,
    /// The old signature ("" when added).
    pub old: String,
    /// The new signature ("" when removed).
    pub new: String,
    /// What it asks of the version.
    pub level: Level,
}

/// The public API of one source file.
pub struct PublicApi(BTreeMap<String, Api>);

impl PublicApi {
    /// Reads the public API of `source` (a whole Rust file).
    pub fn of(source: &str) -> Result<PublicApi> {
        let file = syn::parse_file(source).context("parsing the generated source")?;
        let mut api = BTreeMap::new();
        collect(&file.items, "", &mut api);
        Ok(PublicApi(api))
    }

    /// What changed from `old` to `self`.
    pub fn changes_since(&self, old: &PublicApi) -> Vec<ApiChange> {
        let mut out = Vec::new();
        for (path, now) in &self.0 {
            match old.0.get(path) {
                None => {
                    // A field or variant added to a type that existed is breaking: a struct
                    // literal or an exhaustive match of it no longer compiles.
                    let parent = path.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
                    let level = match now.kind {
                        "field" | "variant" if old.0.contains_key(parent) => Level::Breaking,
                        _ => Level::Additive,
                    };
                    out.push(change("added", now.kind, path, "", &now.signature, level));
                }
                Some(before) if before != now => out.push(change(
                    "changed",
                    now.kind,
                    path,
                    &before.signature,
                    &now.signature,
                    Level::Breaking,
                )),
                Some(_) => {}
            }
        }
        for (path, before) in &old.0 {
            if !self.0.contains_key(path) {
                out.push(change(
                    "removed",
                    before.kind,
                    path,
                    &before.signature,
                    "",
                    Level::Breaking,
                ));
            }
        }
        out
    }
}

fn change(
    change: &'static str,
    kind: &'static str,
    path: &str,
    old: &str,
    new: &str,
    level: Level,
) -> ApiChange {
    ApiChange {
        change,
        kind,
        path: path.to_owned(),
        old: old.to_owned(),
        new: new.to_owned(),
        level,
    }
}

fn public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}::{name}")
    }
}

/// Paths spelled out in generated code, shortened for reading (both sides alike).
const SHORT: [(&str, &str); 6] = [
    ("::std::option::Option", "Option"),
    ("::std::string::String", "String"),
    ("::std::vec::Vec", "Vec"),
    ("::std::convert::", ""),
    ("::std::fmt::", "fmt::"),
    ("::std::collections::", ""),
];

/// A type as Rust writes it, formatted by prettyplease.
fn type_text(ty: &syn::Type) -> String {
    let item: syn::Item = syn::parse_quote!(type T = #ty;);
    tidy(&unparse(item))
        .trim_start_matches("type T = ")
        .trim_end_matches(';')
        .to_owned()
}

/// A function's signature on one line, formatted by prettyplease.
fn signature_text(sig: &syn::Signature) -> String {
    let item: syn::Item = syn::parse_quote!(#sig {});
    tidy(&unparse(item))
        .trim_end_matches("{}")
        .trim()
        .to_owned()
}

/// Tokens (a variant's fields, generics) as `quote` writes them, tidied.
fn text(tokens: &impl ToTokens) -> String {
    let mut out = tidy(&tokens.to_token_stream().to_string());
    for (spaced, tight) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" (", "("),
    ] {
        out = out.replace(spaced, tight);
    }
    out
}

fn unparse(item: syn::Item) -> String {
    let mut file: syn::File = syn::parse_quote!();
    file.items.push(item);
    prettyplease::unparse(&file)
}

/// One line, single spaces, long paths shortened.
fn tidy(code: &str) -> String {
    let mut out = code.split_whitespace().collect::<Vec<_>>().join(" ");
    for (long, short) in SHORT {
        out = out.replace(long, short);
    }
    out.replace(" ,", ",")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(", }", " }")
}

fn insert(api: &mut BTreeMap<String, Api>, path: String, kind: &'static str, signature: String) {
    api.insert(path, Api { kind, signature });
}

fn collect(items: &[Item], prefix: &str, api: &mut BTreeMap<String, Api>) {
    for item in items {
        match item {
            Item::Mod(module) if public(&module.vis) => {
                if let Some((_, items)) = &module.content {
                    collect(items, &join(prefix, &module.ident.to_string()), api);
                }
            }
            Item::Struct(s) if public(&s.vis) => {
                let path = join(prefix, &s.ident.to_string());
                insert(
                    api,
                    path.clone(),
                    "type",
                    format!("struct{}", text(&s.generics)),
                );
                if let Fields::Named(fields) = &s.fields {
                    for field in fields.named.iter().filter(|f| public(&f.vis)) {
                        if let Some(ident) = &field.ident {
                            insert(
                                api,
                                join(&path, &ident.to_string()),
                                "field",
                                type_text(&field.ty),
                            );
                        }
                    }
                }
            }
            Item::Enum(e) if public(&e.vis) => {
                let path = join(prefix, &e.ident.to_string());
                insert(
                    api,
                    path.clone(),
                    "type",
                    format!("enum{}", text(&e.generics)),
                );
                for variant in &e.variants {
                    insert(
                        api,
                        join(&path, &variant.ident.to_string()),
                        "variant",
                        text(&variant.fields),
                    );
                }
            }
            Item::Type(t) if public(&t.vis) => insert(
                api,
                join(prefix, &t.ident.to_string()),
                "type",
                format!("= {}", type_text(&t.ty)),
            ),
            Item::Const(c) if public(&c.vis) => insert(
                api,
                join(prefix, &c.ident.to_string()),
                "const",
                text(&c.ty),
            ),
            Item::Fn(f) if public(&f.vis) => insert(
                api,
                join(prefix, &f.sig.ident.to_string()),
                "fn",
                text(&f.sig),
            ),
            Item::Impl(block) if block.trait_.is_none() => {
                let syn::Type::Path(self_ty) = &*block.self_ty else {
                    continue;
                };
                let Some(last) = self_ty.path.segments.last() else {
                    continue;
                };
                let owner = join(prefix, &last.ident.to_string());
                for item in &block.items {
                    if let ImplItem::Fn(method) = item
                        && public(&method.vis)
                    {
                        insert(
                            api,
                            join(&owner, &method.sig.ident.to_string()),
                            "method",
                            signature_text(&method.sig),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = r#"
        pub mod types {
            pub struct Customer { pub id: String, pub doi_email: Option<bool>, secret: u8 }
            pub enum State { Active, Deleted }
        }
        pub mod builder {
            pub struct GetCustomers<'a> { client: &'a super::Client }
            impl<'a> GetCustomers<'a> {
                pub fn count<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i32> { self }
                fn private(&self) {}
            }
        }
        pub struct Client;
        impl Client { pub fn get_customers(&self) -> builder::GetCustomers<'_> { todo!() } }
        pub const LIMIT: u32 = 1;
    "#;

    #[test]
    fn a_changed_field_type_is_a_breaking_change() {
        let new = OLD
            .replace(
                "pub doi_email: Option<bool>",
                "pub doi_email: Option<chrono::DateTime<chrono::Utc>>",
            )
            .replace("Active, Deleted", "Active, Deleted, Inactive")
            .replace("TryInto<i32>", "TryInto<u64>")
            .replace(
                "pub const LIMIT: u32 = 1;",
                "pub const LIMIT: u32 = 1; pub const MORE: u8 = 2;",
            )
            .replace("pub struct Client;", "pub struct Client; pub struct Extra;");
        let old = PublicApi::of(OLD).expect("parses");
        let new = PublicApi::of(&new).expect("parses");
        let changes = new.changes_since(&old);
        let find = |path: &str| {
            changes
                .iter()
                .find(|c| c.path == path)
                .unwrap_or_else(|| panic!("{path} in {changes:#?}"))
        };
        let field = find("types::Customer::doi_email");
        assert_eq!((field.change, field.level), ("changed", Level::Breaking));
        assert_eq!(field.old, "Option<bool>");
        assert_eq!(field.new, "Option<chrono::DateTime<chrono::Utc>>");
        assert_eq!(find("types::State::Inactive").level, Level::Breaking);
        let count = find("builder::GetCustomers::count");
        assert_eq!(count.level, Level::Breaking);
        assert!(count.new.contains("TryInto<u64>"), "{}", count.new);
        assert_eq!(find("MORE").level, Level::Additive);
        assert_eq!(find("Extra").level, Level::Additive);
        assert_eq!(changes.len(), 5, "{changes:#?}");
        assert!(
            PublicApi::of(OLD)
                .expect("parses")
                .changes_since(&old)
                .is_empty()
        );
    }
}

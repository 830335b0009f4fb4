//! Paging from the spec: an operation's `x-paging` extension becomes a `Paging` constant and
//! a `pages()` stream on its request builder (progenitor knows nothing of paging).
//!
//! ```yaml
//! x-paging:
//!   ends: short-page   # short-page | total | empty-page (see client_runtime::Paging)
//!   offset: skip       # the query parameter, or `body.<property>`, that carries the offset
//!   size: take         # ... the page size (offset paging only)
//!   page: page         # ... the page number, instead of offset and size
//!   items: /data       # JSON pointer to the records in the 200 body ("" for a bare array)
//!   total: /total      # JSON pointer to the reported total (`ends: total` only)
//! ```
//!
//! Every name and pointer is checked against the operation and its 200 schema, so a spec
//! change that moves one fails codegen instead of generating a stream that never ends.

use anyhow::{Context, Result, bail};
use openapiv3::{
    ObjectType, OpenAPI, Operation, Parameter, ReferenceOr, RequestBody, Schema, SchemaKind, Type,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde::Deserialize;

/// The extension's name.
const EXTENSION: &str = "x-paging";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
enum Ends {
    ShortPage,
    Total,
    EmptyPage,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Declared {
    ends: Ends,
    offset: Option<String>,
    size: Option<String>,
    page: Option<String>,
    items: String,
    total: Option<String>,
}

/// Where a paging value is sent.
enum Slot {
    Query(String),
    Body(String),
}

/// The constants and `pages()` streams of every operation in `spec` that declares
/// `x-paging`. `generated` is progenitor's output, read for the types `send()` returns.
pub fn tokens(spec: &OpenAPI, spec_name: &str, generated: &syn::File) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    for (path, method, operation) in spec.operations() {
        let Some(value) = operation.extensions.get(EXTENSION) else {
            continue;
        };
        let id = operation.operation_id.as_deref().with_context(|| {
            format!("{spec_name}: {method} {path} has {EXTENSION} but no operationId")
        })?;
        let context = || format!("{spec_name}: {id}'s {EXTENSION}");
        let declared: Declared = serde_json::from_value(value.clone()).with_context(context)?;
        out.extend(
            operation_tokens(spec, operation, id, &declared, generated).with_context(context)?,
        );
    }
    Ok(out)
}

fn operation_tokens(
    spec: &OpenAPI,
    operation: &Operation,
    id: &str,
    declared: &Declared,
    generated: &syn::File,
) -> Result<TokenStream> {
    let (paging, position, size) = match (&declared.ends, &declared.offset, &declared.page) {
        (Ends::EmptyPage, None, Some(page)) => {
            if declared.size.is_some() {
                bail!("page-number paging takes no `size` (the page size is the vendor's own)");
            }
            (
                quote!(PageNumberUntilEmpty),
                slot(spec, operation, page)?,
                None,
            )
        }
        (Ends::ShortPage | Ends::Total, Some(offset), None) => {
            let size = declared
                .size
                .as_deref()
                .context("offset paging needs `size`")?;
            let paging = match declared.ends {
                Ends::Total => quote!(OffsetUntilTotal),
                _ => quote!(OffsetUntilShortPage),
            };
            (
                paging,
                slot(spec, operation, offset)?,
                Some(slot(spec, operation, size)?),
            )
        }
        _ => bail!(
            "declare `offset` (with `ends: short-page` or `total`) or `page` (with `ends: empty-page`)"
        ),
    };
    if matches!(declared.ends, Ends::Total) != declared.total.is_some() {
        bail!("`total` is declared exactly when `ends: total`");
    }
    let body = success_schema(spec, operation)?;
    let records = access(spec, body, &declared.items, Leaf::Array)?;
    let total = match &declared.total {
        Some(pointer) => {
            let value = access(spec, body, pointer, Leaf::Integer)?;
            quote!((|| -> Option<u64> { u64::try_from(#value).ok() })())
        }
        None => quote!(None),
    };

    let builder = format_ident!("{}", pascal(id));
    let (ok, err) = send_types(generated, &builder.to_string())?;
    let constant = format_ident!("{}_PAGING", id.to_ascii_uppercase());
    let at_offset = quote!(cursor.offset());
    let at_page =
        quote!(::std::num::NonZeroU32::new(cursor.page()).unwrap_or(::std::num::NonZeroU32::MIN));
    let mut request = quote!(self.clone());
    request = match &size {
        Some(_) => set(request, &position, &at_offset, &at_offset),
        None => set(request, &position, &at_page, &quote!(cursor.page())),
    };
    if let Some(size) = &size {
        request = set(request, size, &quote!(size), &quote!(size.get()));
    }
    let (size_param, size_doc) = match &size {
        Some(_) => (
            quote!(size: ::std::num::NonZeroU32,),
            " `size` records each,",
        ),
        None => (quote!(), ""),
    };
    let const_doc = format!(" How `{id}` pages, from the spec's `{EXTENSION}`.");
    let shape = format_ident!("{}_PAGE_SHAPE", id.to_ascii_uppercase());
    let shape_doc = format!(
        " Where `{id}`'s records and total sit in its 200 body, from the spec's `{EXTENSION}`."
    );
    let items_pointer = &declared.items;
    let total_pointer = match &declared.total {
        Some(pointer) => quote!(Some(#pointer)),
        None => quote!(None),
    };
    let pages_doc = format!(
        " Every page of this request from `from` on ([`PageCursor::START`](::client_runtime::PageCursor::START) for the first),{size_doc} as the spec's `{EXTENSION}` declares ([`{constant}`]). Each item carries the cursor of the next page, from which a later call can resume; an error ends the stream."
    );
    Ok(quote! {
        #[doc = #const_doc]
        pub const #constant: ::client_runtime::Paging = ::client_runtime::Paging::#paging;

        #[doc = #shape_doc]
        pub const #shape: ::client_runtime::PageShape = ::client_runtime::PageShape {
            items: #items_pointer,
            total: #total_pointer,
        };

        impl<'a> builder::#builder<'a> {
            #[doc = #pages_doc]
            pub fn pages(
                self,
                #size_param
                from: ::client_runtime::PageCursor,
            ) -> impl ::client_runtime::Stream<Item = Result<::client_runtime::Paged<#ok>, #err>> + 'a {
                ::client_runtime::pages(
                    #constant,
                    from,
                    move |cursor: ::client_runtime::PageCursor| {
                        let request = #request;
                        request.send()
                    },
                    |page: &#ok| {
                        let records = (|| -> Option<usize> { Some(#records.len()) })().unwrap_or(0);
                        (records, #total)
                    },
                )
            }
        }
    })
}

/// `request` with a value set where `slot` says: `query` as the parameter setter takes it
/// (progenitor's setters convert), `body` as an integer the body's `Option<i64>` takes.
fn set(request: TokenStream, slot: &Slot, query: &TokenStream, body: &TokenStream) -> TokenStream {
    let (Slot::Query(name) | Slot::Body(name)) = slot;
    let setter = format_ident!("{}", crate::auth::snake(name));
    match slot {
        Slot::Query(_) => quote!(#request.#setter(#query)),
        Slot::Body(_) => {
            quote!(#request.body_map(move |body| body.#setter(i64::try_from(#body).ok())))
        }
    }
}

/// Checks that `name` is a query parameter of `operation`, or `body.<property>` of its JSON
/// request body.
fn slot(spec: &OpenAPI, operation: &Operation, name: &str) -> Result<Slot> {
    if let Some(property) = name.strip_prefix("body.") {
        let body = operation
            .request_body
            .as_ref()
            .context("names a body property, but the operation has no request body")?;
        let body: &RequestBody = match body {
            ReferenceOr::Item(body) => body,
            ReferenceOr::Reference { reference } => {
                bail!("request body {reference} must be inline")
            }
        };
        let schema = body
            .content
            .get("application/json")
            .and_then(|media| media.schema.as_ref())
            .context("the request body has no JSON schema")?;
        if !object(spec, schema)?.properties.contains_key(property) {
            bail!("the request body has no property `{property}`");
        }
        return Ok(Slot::Body(property.to_owned()));
    }
    let found = operation
        .parameters
        .iter()
        .any(|parameter| match parameter {
            ReferenceOr::Item(Parameter::Query { parameter_data, .. }) => {
                parameter_data.name == name
            }
            _ => false,
        });
    if !found {
        bail!("the operation has no query parameter `{name}`");
    }
    Ok(Slot::Query(name.to_owned()))
}

/// The 200 response's JSON schema.
fn success_schema<'a>(
    spec: &'a OpenAPI,
    operation: &'a Operation,
) -> Result<&'a ReferenceOr<Schema>> {
    let response = operation
        .responses
        .responses
        .get(&openapiv3::StatusCode::Code(200))
        .context("the operation has no 200 response")?;
    let response = match response {
        ReferenceOr::Item(response) => response,
        ReferenceOr::Reference { reference } => spec
            .components
            .as_ref()
            .and_then(|c| {
                c.responses
                    .get(reference.trim_start_matches("#/components/responses/"))
            })
            .and_then(|r| r.as_item())
            .with_context(|| format!("{reference} does not resolve"))?,
    };
    response
        .content
        .get("application/json")
        .and_then(|media| media.schema.as_ref())
        .context("the 200 response has no JSON schema")
}

/// What a pointer must lead to.
#[derive(Clone, Copy, PartialEq)]
enum Leaf {
    Array,
    Integer,
}

/// The Rust expression reading `pointer` from a typed `page` (inside a closure returning
/// `Option`), checked against the schema: each segment a declared property, optional or
/// nullable ones unwrapped with `?`, the leaf of the kind asked for.
fn access(
    spec: &OpenAPI,
    root: &ReferenceOr<Schema>,
    pointer: &str,
    leaf: Leaf,
) -> Result<TokenStream> {
    let mut expr = quote!(page);
    let mut schema = resolve(spec, root)?;
    if !pointer.is_empty() && !pointer.starts_with('/') {
        bail!("`{pointer}` is not a JSON pointer");
    }
    // client_runtime's PageShape matches segments literally.
    if pointer.contains('~') {
        bail!("`{pointer}`: escaped pointer segments are not supported");
    }
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut optional = false;
    for segment in &segments {
        let ObjectType {
            properties,
            required,
            ..
        } = object(spec, &ReferenceOr::Item(schema.clone()))?;
        let property = properties
            .get(*segment)
            .with_context(|| format!("`{pointer}`: no property `{segment}` in the 200 schema"))?;
        let property_schema = match property {
            ReferenceOr::Item(schema) => schema.as_ref().clone(),
            ReferenceOr::Reference { reference } => resolve(spec, &ReferenceOr::ref_(reference))?,
        };
        let field = format_ident!("{}", crate::auth::snake(segment));
        if optional {
            expr = quote!(#expr.as_ref()?);
        }
        expr = quote!(#expr.#field);
        let is_array = matches!(
            property_schema.schema_kind,
            SchemaKind::Type(Type::Array(_))
        );
        // typify reads an optional array as an empty one; anything else optional or
        // nullable is an `Option`.
        optional = property_schema.schema_data.nullable
            || (!required.iter().any(|r| r == segment) && !is_array);
        schema = property_schema;
    }
    let kind_ok = match leaf {
        Leaf::Array => matches!(schema.schema_kind, SchemaKind::Type(Type::Array(_))),
        Leaf::Integer => matches!(schema.schema_kind, SchemaKind::Type(Type::Integer(_))),
    };
    if !kind_ok {
        bail!(
            "`{pointer}` does not lead to {} in the 200 schema",
            if leaf == Leaf::Array {
                "an array"
            } else {
                "an integer"
            }
        );
    }
    Ok(match (optional, leaf) {
        (true, Leaf::Array) => quote!(#expr.as_ref()?),
        (true, Leaf::Integer) => quote!(#expr?),
        (false, _) => expr,
    })
}

fn resolve(spec: &OpenAPI, schema: &ReferenceOr<Schema>) -> Result<Schema> {
    match schema {
        ReferenceOr::Item(schema) => Ok(schema.clone()),
        ReferenceOr::Reference { reference } => {
            let name = reference.trim_start_matches("#/components/schemas/");
            let found = spec
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(name))
                .with_context(|| format!("{reference} does not resolve"))?;
            resolve(spec, found)
        }
    }
}

fn object(spec: &OpenAPI, schema: &ReferenceOr<Schema>) -> Result<ObjectType> {
    let schema = resolve(spec, schema)?;
    match schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => Ok(object),
        _ => bail!("expected an object schema"),
    }
}

/// The success and error types of `builder`'s `send()` in progenitor's output.
fn send_types(generated: &syn::File, builder: &str) -> Result<(syn::Type, syn::Type)> {
    let module = generated
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "builder" => module.content.as_ref(),
            _ => None,
        })
        .context("progenitor's output has no `builder` module")?;
    for item in &module.1 {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(self_ty) = block.self_ty.as_ref() else {
            continue;
        };
        if self_ty
            .path
            .segments
            .last()
            .is_none_or(|s| s.ident != builder)
        {
            continue;
        }
        for member in &block.items {
            let syn::ImplItem::Fn(function) = member else {
                continue;
            };
            if function.sig.ident != "send" {
                continue;
            }
            let syn::ReturnType::Type(_, output) = &function.sig.output else {
                bail!("`{builder}::send` returns nothing");
            };
            let syn::Type::Path(result) = output.as_ref() else {
                bail!("`{builder}::send` does not return a Result");
            };
            let arguments = result.path.segments.last().map(|s| &s.arguments);
            let Some(syn::PathArguments::AngleBracketed(arguments)) = arguments else {
                bail!("`{builder}::send` does not return a Result<T, E>");
            };
            let types: Vec<syn::Type> = arguments
                .args
                .iter()
                .filter_map(|arg| match arg {
                    syn::GenericArgument::Type(ty) => Some(ty.clone()),
                    _ => None,
                })
                .collect();
            if let [ok, err] = types.as_slice() {
                return Ok((ok.clone(), err.clone()));
            }
            bail!("`{builder}::send` does not return a Result<T, E>");
        }
    }
    bail!("progenitor generated no `builder::{builder}::send`")
}

/// `get_customers` → `GetCustomers`, progenitor's builder name.
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items:
    get:
      operationId: list_items
      x-paging: PAGING
      parameters:
        - {name: skip, in: query, schema: {type: integer}}
        - {name: take, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {type: array, items: {type: string}}
                  meta: {type: object, properties: {total: {type: integer}}}
"#;

    fn generate(paging: &str) -> Result<String> {
        let spec: OpenAPI = serde_yaml::from_str(&SPEC.replace("PAGING", paging))?;
        let generated: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> ListItems<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<()>> {}
                }
            }
        };
        Ok(tokens(&spec, "t.yaml", &generated)?.to_string())
    }

    #[test]
    fn offsets_totals_and_optional_objects_become_checked_accessors() {
        let code =
            generate("{ends: total, offset: skip, size: take, items: /data, total: /meta/total}")
                .expect("generates");
        assert!(code.contains("OffsetUntilTotal"), "{code}");
        assert!(code.contains(". skip (cursor . offset ())"), "{code}");
        assert!(code.contains("page . data . len ()"), "{code}");
        assert!(
            code.contains("page . meta . as_ref () ? . total ?"),
            "{code}"
        );
        assert!(code.contains("ResponseValue < types :: Page >"), "{code}");
    }

    #[test]
    fn names_and_pointers_that_the_spec_lacks_fail_codegen() {
        for (paging, expected) in [
            (
                "{ends: short-page, offset: from, size: take, items: /data}",
                "no query parameter `from`",
            ),
            (
                "{ends: short-page, offset: skip, size: take, items: /rows}",
                "no property `rows`",
            ),
            (
                "{ends: total, offset: skip, size: take, items: /data}",
                "`total` is declared exactly",
            ),
            (
                "{ends: short-page, offset: skip, size: take, items: /meta}",
                "does not lead to an array",
            ),
            (
                "{ends: empty-page, offset: skip, size: take, items: /data}",
                "declare `offset`",
            ),
        ] {
            let err = generate(paging).expect_err(paging);
            assert!(format!("{err:#}").contains(expected), "{paging}: {err:#}");
        }
    }
}

//! Auth from the spec: each crate's `Credentials` and `Client::with_credentials`, generated
//! from `securitySchemes` and the spec's `security` requirement (progenitor ignores both).
//!
//! - `http` `bearer`: `Authorization: Bearer <secret>`;
//! - `apiKey` `in: header`: the header carries the secret;
//! - `apiKey` with `x-constant-value`: a header with that fixed, public value (BotPenguin's
//!   `authtype: Key`), not a constructor argument.
//!
//! Secrets are `client_runtime::Secret`s (never shown by `Debug`) and sent as sensitive
//! default headers. Anything else (OAuth2, cookies, query keys) fails codegen loudly.

use anyhow::{Context, Result, bail};
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The extension that gives an API-key header a constant value.
const CONSTANT: &str = "x-constant-value";

enum Part {
    Bearer {
        field: String,
        label: String,
    },
    Header {
        field: String,
        header: String,
        label: String,
    },
    Fixed {
        header: String,
        value: String,
    },
}

/// The schemes the spec requires, in the order of its first security requirement (the
/// global one, else the first operation's that has one).
fn parts(spec: &OpenAPI, spec_name: &str) -> Result<Vec<Part>> {
    let requirement = spec
        .security
        .iter()
        .flatten()
        .chain(
            spec.paths
                .iter()
                .filter_map(|(_, item)| item.as_item())
                .flat_map(|item| item.iter().map(|(_, op)| op))
                .filter_map(|op| op.security.as_ref())
                .flatten(),
        )
        .find(|requirement| !requirement.is_empty());
    let Some(requirement) = requirement else {
        return Ok(Vec::new());
    };
    let schemes = spec
        .components
        .as_ref()
        .map(|c| &c.security_schemes)
        .with_context(|| {
            let names: Vec<&str> = requirement.keys().map(String::as_str).collect();
            format!(
                "{spec_name}: `security` names {} but no securitySchemes are declared",
                names.join(", ")
            )
        })?;
    let mut parts = Vec::new();
    for name in requirement.keys() {
        let scheme = match schemes.get(name) {
            Some(ReferenceOr::Item(scheme)) => scheme,
            Some(ReferenceOr::Reference { .. }) => {
                bail!("{spec_name}: security scheme `{name}` is a $ref; inline it")
            }
            None => bail!("{spec_name}: `security` names `{name}`, which is not declared"),
        };
        let field = snake(name);
        parts.push(match scheme {
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
                Part::Bearer {
                    field,
                    label: "bearer token".to_owned(),
                }
            }
            SecurityScheme::APIKey {
                location: APIKeyLocation::Header,
                name: header,
                extensions,
                ..
            } => match extensions.get(CONSTANT) {
                Some(serde_json::Value::String(value)) => Part::Fixed {
                    header: header.to_ascii_lowercase(),
                    value: value.clone(),
                },
                Some(_) => bail!("{spec_name}: `{name}`'s {CONSTANT} must be a string"),
                None => Part::Header {
                    field,
                    header: header.to_ascii_lowercase(),
                    label: format!("{header} key"),
                },
            },
            _ => bail!(
                "{spec_name}: security scheme `{name}` is not supported (bearer or a header API key only)"
            ),
        });
    }
    Ok(parts)
}

/// `bearerAuth` → `bearer_auth` (also progenitor's and typify's field and setter names).
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

/// `Credentials`, `Client::with_credentials` and `Client::without_credentials` for `spec`.
pub fn tokens(spec: &OpenAPI, spec_name: &str) -> Result<TokenStream> {
    let parts = parts(spec, spec_name)?;
    let secrets: Vec<(&str, String)> = parts
        .iter()
        .filter_map(|part| match part {
            Part::Bearer { field, .. } | Part::Header { field, .. } => {
                Some((field.as_str(), part_doc(part)))
            }
            Part::Fixed { .. } => None,
        })
        .collect();
    let fields: Vec<_> = secrets.iter().map(|(f, _)| format_ident!("{f}")).collect();
    let field_docs: Vec<_> = secrets.iter().map(|(_, d)| d.as_str()).collect();
    let headers: Vec<TokenStream> = parts
        .iter()
        .map(|part| match part {
            Part::Bearer { field, label } => {
                let field = format_ident!("{field}");
                quote! { .bearer(#label, &credentials.#field)? }
            }
            Part::Header {
                field,
                header,
                label,
            } => {
                let field = format_ident!("{field}");
                quote! { .secret(#header, #label, &credentials.#field)? }
            }
            Part::Fixed { header, value } => quote! { .fixed(#header, #value) },
        })
        .collect();
    let described: Vec<String> = parts
        .iter()
        .map(|part| match part {
            Part::Bearer { .. } => "`Authorization: Bearer <secret>`".to_owned(),
            Part::Header { header, .. } => format!("`{header}: <secret>`"),
            Part::Fixed { header, value } => format!("`{header}: {value}`"),
        })
        .collect();
    let struct_doc = format!(
        " The credentials this API's spec declares, sent as {} on every request. `Debug` \
         never shows a secret.",
        if described.is_empty() {
            "nothing".to_owned()
        } else {
            described.join(" and ")
        }
    );
    Ok(quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Debug)]
        pub struct Credentials {
            #(
                #[doc = #field_docs]
                #fields: ::client_runtime::Secret,
            )*
        }

        impl Credentials {
            /// Credentials from their secret values, in the order the spec declares them.
            pub fn new(#(#fields: impl Into<::client_runtime::Secret>),*) -> Self {
                Self { #(#fields: #fields.into()),* }
            }

            /// The headers these credentials are sent as, secret values marked sensitive.
            pub fn headers(&self) -> Result<::reqwest::header::HeaderMap, ::client_runtime::AuthError> {
                let credentials = self;
                Ok(::client_runtime::AuthHeaders::new()
                    #(#headers)*
                    .into_headers())
            }
        }

        impl Client {
            /// A client that sends `credentials` on every request to `base_url`
            /// ([`SERVER_URL`] for production; any other URL for tenants, sandboxes and
            /// tests).
            pub fn with_credentials(
                base_url: &str,
                credentials: &Credentials,
            ) -> Result<Self, ::client_runtime::AuthError> {
                let http = ::client_runtime::authenticated_client(base_url, credentials.headers()?)?;
                Ok(Self::new_with_client(
                    &::client_runtime::normalize_base_url(base_url),
                    http,
                    ::client_runtime::Transport::default(),
                ))
            }

            /// A client that sends requests to `base_url` with the caller's own `http` client
            /// (its proxy, TLS roots, timeouts, connection pool), the transport adding
            /// `credentials` to each request as sensitive headers. Build `http` with
            /// `.redirect(client_runtime::same_origin(base_url))` or no redirects: a
            /// reqwest client's redirect policy cannot be read, reqwest's default follows
            /// redirects to other hosts with every header but `Authorization`, and a response
            /// from another origin is refused only once it has arrived.
            pub fn with_http_client(
                base_url: &str,
                credentials: &Credentials,
                http: ::reqwest::Client,
            ) -> Result<Self, ::client_runtime::AuthError> {
                let transport = ::client_runtime::Transport::default()
                    .with_credentials(base_url, credentials.headers()?);
                Ok(Self::new_with_client(
                    &::client_runtime::normalize_base_url(base_url),
                    http,
                    transport,
                ))
            }

            /// [`Client::with_http_client`] when `http` is given, else
            /// [`Client::with_credentials`]: for code that passes the choice through.
            pub fn authenticated(
                base_url: &str,
                credentials: &Credentials,
                http: Option<::reqwest::Client>,
            ) -> Result<Self, ::client_runtime::AuthError> {
                match http {
                    Some(http) => Self::with_http_client(base_url, credentials, http),
                    None => Self::with_credentials(base_url, credentials),
                }
            }

            /// A client that sends no credentials (for an operation that issues them, such as
            /// a login).
            pub fn without_credentials(base_url: &str) -> Result<Self, ::client_runtime::AuthError> {
                let http = ::client_runtime::AuthHeaders::new().into_client(base_url)?;
                Ok(Self::new_with_client(
                    &::client_runtime::normalize_base_url(base_url),
                    http,
                    ::client_runtime::Transport::default(),
                ))
            }
        }
    })
}

fn part_doc(part: &Part) -> String {
    match part {
        Part::Bearer { .. } => " The bearer token (`Authorization: Bearer …`).".to_owned(),
        Part::Header { header, .. } => format!(" The secret sent as `{header}`."),
        Part::Fixed { .. } => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> OpenAPI {
        serde_yaml::from_str(yaml).expect("a spec")
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

    #[test]
    fn bearer_headers_and_constants_in_the_order_required() {
        let spec = spec(&format!(
            "{HEAD}security: [{{bearerAuth: [], authType: [], secretKey: []}}]\ncomponents:\n  securitySchemes:\n    bearerAuth: {{type: http, scheme: bearer}}\n    authType: {{type: apiKey, in: header, name: authtype, x-constant-value: Key}}\n    secretKey: {{type: apiKey, in: header, name: X-SECRET-KEY}}\n"
        ));
        let code = tokens(&spec, "t.yaml").expect("generates").to_string();
        assert!(
            code.contains("bearer_auth : :: client_runtime :: Secret"),
            "{code}"
        );
        assert_eq!(
            code.matches(". fixed (\"authtype\" , \"Key\")").count(),
            1,
            "the headers are built in `Credentials::headers` alone: {code}"
        );
        assert!(code.contains(". secret (\"x-secret-key\""), "{code}");
        assert!(
            !code.contains("auth_type"),
            "a constant is no argument: {code}"
        );
    }

    #[test]
    fn unsupported_or_undeclared_schemes_fail_loudly() {
        let oauth = spec(&format!(
            "{HEAD}security: [{{o: []}}]\ncomponents:\n  securitySchemes:\n    o: {{type: apiKey, in: query, name: key}}\n"
        ));
        assert!(tokens(&oauth, "t.yaml").is_err());
        let missing = spec(&format!("{HEAD}security: [{{nope: []}}]\n"));
        let err = tokens(&missing, "t.yaml").expect_err("undeclared");
        assert!(err.to_string().contains("nope"), "{err}");
    }
}

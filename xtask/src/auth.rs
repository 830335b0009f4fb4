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
//!
//! Each secret's environment variable is declared beside its scheme (`x-env: HOKO_API_KEY`,
//! required), and other values a caller reads from the environment (Gleantap's app id,
//! CareCloud's login) in the spec's top-level `x-env` map (`name: {variable, description}`).
//! They become the crate's `env` module, `Credentials::ENV` and `Credentials::from_env`, so
//! that the names are said once, in the spec, for the generated crate, the facade, the CLI
//! and the fakes' tests alike.

use anyhow::{Context, Result, bail};
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The extension that gives an API-key header a constant value.
const CONSTANT: &str = "x-constant-value";

/// The extension naming an environment variable (on a scheme), or a map of them (top level).
const ENV: &str = "x-env";

enum Part {
    Bearer {
        field: String,
        label: String,
        env: String,
    },
    Header {
        field: String,
        header: String,
        label: String,
        env: String,
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
        let env = |declared: Option<&serde_json::Value>| match declared {
            Some(serde_json::Value::String(variable)) => variable_name(variable, spec_name),
            Some(_) => bail!("{spec_name}: `{name}`'s {ENV} must be a variable's name"),
            None => bail!(
                "{spec_name}: security scheme `{name}` needs `{ENV}`: the environment \
                     variable its secret is read from"
            ),
        };
        parts.push(match scheme {
            SecurityScheme::HTTP {
                scheme, extensions, ..
            } if scheme.eq_ignore_ascii_case("bearer") => Part::Bearer {
                field,
                label: "bearer token".to_owned(),
                env: env(extensions.get(ENV))?,
            },
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
                    env: env(extensions.get(ENV))?,
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

/// `variable` if it is an environment variable's name (`A_Z0_9`, not starting with a digit).
fn variable_name(variable: &str, spec_name: &str) -> Result<String> {
    let valid = variable
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && variable.starts_with(|c: char| c.is_ascii_uppercase() || c == '_');
    if !valid {
        bail!("{spec_name}: `{variable}` is not an environment variable's name (A-Z, 0-9, _)");
    }
    Ok(variable.to_owned())
}

/// An entry of the crate's `env` module: the constant's name (snake case), its variable and
/// its doc.
struct EnvEntry {
    name: String,
    variable: String,
    doc: String,
}

/// The spec's top-level `x-env` map: `name: {variable: NAME, description: text}`.
fn other_variables(spec: &OpenAPI, spec_name: &str) -> Result<Vec<EnvEntry>> {
    let Some(map) = spec.extensions.get(ENV) else {
        return Ok(Vec::new());
    };
    let map = map
        .as_object()
        .with_context(|| format!("{spec_name}: the top-level {ENV} must be a map"))?;
    let mut entries = Vec::new();
    for (name, entry) in map {
        if snake(name) != *name {
            bail!("{spec_name}: {ENV} entry `{name}` must be snake_case");
        }
        let variable = entry["variable"].as_str().with_context(|| {
            format!("{spec_name}: {ENV} entry `{name}` needs `variable`, a variable's name")
        })?;
        let description = entry["description"].as_str().with_context(|| {
            format!("{spec_name}: {ENV} entry `{name}` needs `description`: what it holds")
        })?;
        entries.push(EnvEntry {
            name: name.clone(),
            variable: variable_name(variable, spec_name)?,
            doc: format!(
                " {}: `{variable}`.",
                description.trim().trim_end_matches('.')
            ),
        });
    }
    Ok(entries)
}

/// The crate's `env` module: a constant per variable, and `ALL` pairing each constant's
/// name with its variable.
fn env_module(entries: &[EnvEntry]) -> TokenStream {
    let names: Vec<_> = entries
        .iter()
        .map(|e| format_ident!("{}", e.name.to_ascii_uppercase()))
        .collect();
    let variables: Vec<&str> = entries.iter().map(|e| e.variable.as_str()).collect();
    let docs: Vec<&str> = entries.iter().map(|e| e.doc.as_str()).collect();
    let keys: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    quote! {
        /// The environment variables this API's credentials and settings are read from, as
        /// the spec's `x-env` extensions name them.
        pub mod env {
            #(
                #[doc = #docs]
                pub const #names: &str = #variables;
            )*
            /// Every variable above with its name in snake case (`bearer_auth`,
            /// `app_id`, …): credentials first, in the order `Credentials::new` takes them.
            pub const ALL: &[(&str, &str)] = &[#((#keys, #names)),*];
        }
    }
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
    let mut entries: Vec<EnvEntry> = parts
        .iter()
        .filter_map(|part| match part {
            Part::Bearer { field, env, .. } | Part::Header { field, env, .. } => Some(EnvEntry {
                name: field.clone(),
                variable: env.clone(),
                doc: format!("{}: `{env}`.", part_doc(part).trim_end_matches('.')),
            }),
            Part::Fixed { .. } => None,
        })
        .collect();
    let secret_constants: Vec<_> = entries
        .iter()
        .map(|e| format_ident!("{}", e.name.to_ascii_uppercase()))
        .collect();
    entries.extend(other_variables(spec, spec_name)?);
    let env_module = env_module(&entries);
    let field_docs: Vec<_> = secrets.iter().map(|(_, d)| d.as_str()).collect();
    let headers: Vec<TokenStream> = parts
        .iter()
        .map(|part| match part {
            Part::Bearer { field, label, .. } => {
                let field = format_ident!("{field}");
                quote! { .bearer(#label, &credentials.#field)? }
            }
            Part::Header {
                field,
                header,
                label,
                ..
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
        #env_module

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

            /// The environment variables [`Credentials::from_env`] reads, in the order
            /// [`Credentials::new`] takes their values.
            pub const ENV: &'static [&'static str] = &[#(env::#secret_constants),*];

            /// Credentials from the environment variables [`Credentials::ENV`] names. Every
            /// variable that is missing or blank is named in the one error.
            pub fn from_env() -> Result<Self, ::client_runtime::MissingEnv> {
                Self::from_lookup(|name| ::std::env::var(name).ok())
            }

            /// [`Credentials::from_env`], reading each variable with `lookup` (a profile's
            /// mapping of the variables to others, a test's table).
            pub fn from_lookup(
                lookup: impl Fn(&str) -> Option<String>,
            ) -> Result<Self, ::client_runtime::MissingEnv> {
                let mut values = ::client_runtime::read_env(Self::ENV, lookup)?.into_iter();
                Ok(Self { #(#fields: values.next().unwrap_or_default().into()),* })
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
            "{HEAD}security: [{{bearerAuth: [], authType: [], secretKey: []}}]\ncomponents:\n  securitySchemes:\n    bearerAuth: {{type: http, scheme: bearer, x-env: T_TOKEN}}\n    authType: {{type: apiKey, in: header, name: authtype, x-constant-value: Key}}\n    secretKey: {{type: apiKey, in: header, name: X-SECRET-KEY, x-env: T_SECRET}}\n"
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
        assert!(
            code.contains("pub const ENV : & 'static [& 'static str] = & [env :: BEARER_AUTH , env :: SECRET_KEY]"),
            "{code}"
        );
        assert!(
            code.contains("pub const SECRET_KEY : & str = \"T_SECRET\""),
            "{code}"
        );
    }

    #[test]
    fn each_secret_names_its_variable_and_other_variables_are_described() {
        let schemes = "components:\n  securitySchemes:\n    b: {type: http, scheme: bearer";
        let without = spec(&format!("{HEAD}security: [{{b: []}}]\n{schemes}}}\n"));
        let err = tokens(&without, "t.yaml").expect_err("no x-env");
        assert!(err.to_string().contains("x-env"), "{err}");
        let lower = spec(&format!(
            "{HEAD}security: [{{b: []}}]\n{schemes}, x-env: lower}}\n"
        ));
        assert!(tokens(&lower, "t.yaml").is_err());
        let others = spec(&format!(
            "{HEAD}x-env: {{app_id: {{variable: T_APP, description: The app.}}}}\nsecurity: [{{b: []}}]\n{schemes}, x-env: T_KEY}}\n"
        ));
        let code = tokens(&others, "t.yaml").expect("generates").to_string();
        assert!(
            code.contains("pub const APP_ID : & str = \"T_APP\""),
            "{code}"
        );
        assert!(code.contains("(\"app_id\" , APP_ID)"), "{code}");
        assert!(code.contains("The app: `T_APP`."), "{code}");
        let undescribed = spec(&format!(
            "{HEAD}x-env: {{app_id: {{variable: T_APP}}}}\nsecurity: [{{b: []}}]\n{schemes}, x-env: T_KEY}}\n"
        ));
        let err = tokens(&undescribed, "t.yaml").expect_err("no description");
        assert!(err.to_string().contains("description"), "{err}");
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

//! The transport hook every generated client sends its requests through.
//!
//! The generated clients are built with progenitor's `inner` type set to [`Transport`] and
//! implement `progenitor_client::ClientHooks::exec` by calling [`Transport::execute`]. By
//! default a request is sent once; a layer such as the `customers` facade installs an
//! [`Exec`] to add rate limiting, retries or response capture, without touching generated
//! code.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::HeaderMap;

use crate::RedirectRefused;

/// A boxed future returned by [`Exec::exec`].
pub type ExecFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one request of a generated client: `operation` is its OpenAPI `operationId`.
pub trait Exec: Send + Sync + 'static {
    /// Sends `request` with `client` (which carries the credentials) and returns the
    /// response that the generated code will decode.
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecFuture<'a>;
}

/// Credentials a transport adds to each request itself, because the reqwest client is the
/// caller's own and carries none.
struct Attached {
    /// The base URL's origin: the only one these credentials go to.
    origin: Option<reqwest::Url>,
    headers: HeaderMap,
}

/// How a generated client sends requests; the default sends each request once.
#[derive(Clone, Default)]
pub struct Transport {
    exec: Option<Arc<dyn Exec>>,
    credentials: Option<Arc<Attached>>,
}

impl Transport {
    /// A transport that sends every request through `exec`.
    pub fn new(exec: Arc<dyn Exec>) -> Self {
        Transport {
            exec: Some(exec),
            credentials: None,
        }
    }

    /// This transport, adding `headers` (credentials, marked sensitive) to every request to
    /// `base_url`'s origin and refusing any other: what a generated client's
    /// `with_http_client` installs, since the caller's reqwest client carries no credentials.
    pub fn with_credentials(mut self, base_url: &str, headers: HeaderMap) -> Self {
        let origin = reqwest::Url::parse(base_url).ok();
        self.credentials = Some(Arc::new(Attached { origin, headers }));
        self
    }

    /// This transport with `previous`'s credentials when it has none of its own: a generated
    /// client's `with_transport` keeps the credentials `with_http_client` attached.
    pub fn keeping_credentials_of(mut self, previous: &Transport) -> Self {
        if self.credentials.is_none() {
            self.credentials = previous.credentials.clone();
        }
        self
    }

    /// Sends `request` through the installed [`Exec`], or directly; with attached
    /// credentials, only to their origin, and a response from elsewhere (the caller's client
    /// followed a redirect away) is an error.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let mut request = request;
        if let Some(attached) = &self.credentials {
            if let Some(refused) = attached.refuses(request.url()) {
                return as_reqwest_error(refused).await;
            }
            for (name, value) in &attached.headers {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        let response = match &self.exec {
            Some(exec) => exec.exec(client, request, operation).await?,
            None => client.execute(request).await?,
        };
        if let Some(refused) = self
            .credentials
            .as_ref()
            .and_then(|attached| attached.refuses(response.url()))
        {
            return as_reqwest_error(refused).await;
        }
        Ok(response)
    }
}

impl Attached {
    /// Why credentials must not go to (or come back from) `url`; `None` when it is their
    /// origin.
    fn refuses(&self, url: &reqwest::Url) -> Option<RedirectRefused> {
        let configured = self.origin.as_ref().map(reqwest::Url::origin);
        (configured.as_ref() != Some(&url.origin())).then(|| RedirectRefused::OtherOrigin {
            target: url.origin().ascii_serialization(),
            origin: configured.map_or_else(|| "none".to_owned(), |o| o.ascii_serialization()),
        })
    }
}

/// reqwest has no public error constructor: reading a body whose stream fails with `error`
/// yields a reqwest error of kind body with `error` among its sources.
pub(crate) async fn as_reqwest_error<E>(error: E) -> reqwest::Result<reqwest::Response>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let stream = futures::stream::once(async move { Err::<bytes::Bytes, E>(error) });
    let response = reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)));
    // The stream's only item is the error, so this returns it.
    let body = response.bytes().await?;
    let mut response = http::Response::new(body);
    *response.status_mut() = reqwest::StatusCode::BAD_GATEWAY;
    Ok(reqwest::Response::from(response))
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("custom", &self.exec.is_some())
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|attached| attached.headers.keys().collect::<Vec<_>>()),
            )
            .finish()
    }
}

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

/// How a generated client sends requests; the default sends each request once.
#[derive(Clone, Default)]
pub struct Transport {
    exec: Option<Arc<dyn Exec>>,
}

impl Transport {
    /// A transport that sends every request through `exec`.
    pub fn new(exec: Arc<dyn Exec>) -> Self {
        Transport { exec: Some(exec) }
    }

    /// Sends `request` through the installed [`Exec`], or directly.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.exec {
            Some(exec) => exec.exec(client, request, operation).await,
            None => client.execute(request).await,
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("custom", &self.exec.is_some())
            .finish()
    }
}

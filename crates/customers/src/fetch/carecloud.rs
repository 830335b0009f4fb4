//! CareCloud: `GET /customers?count&offset&email` and `GET /customers/{id}`, with a bearer
//! token given by the user or issued by `POST /users/actions/login`. With login
//! credentials, a request answered 401 logs in again once and is repeated.

use std::num::NonZeroU32;

use carecloud_client::types::LoginRequest;
use carecloud_client::{Client, Credentials};
use client_runtime::Transport;
use tokio::sync::RwLock;

use super::{Cursor, Page, success_json};
use crate::credentials::CareCloudAuth;
use crate::decode;
use crate::transport::{Captured, send};
use crate::{ConvertOptions, Customer, Error, ErrorKind, Query, Vendor, vendors};

const VENDOR: Vendor = Vendor::CareCloud;

/// A tenant's base URL, its credentials and the client holding the current token.
pub(crate) struct Session {
    base_url: String,
    auth: CareCloudAuth,
    transport: Transport,
    current: RwLock<Option<Client>>,
}

impl Session {
    pub fn new(base_url: String, auth: CareCloudAuth, transport: Transport) -> Self {
        Session {
            base_url,
            auth,
            transport,
            current: RwLock::new(None),
        }
    }

    pub async fn page(
        &self,
        query: &Query,
        cursor: Cursor,
        size: NonZeroU32,
        options: &ConvertOptions,
    ) -> Result<Page, Error> {
        let offset = cursor.offset_i32(VENDOR)?;
        let captured = self
            .call(|client| async move {
                let mut request = client.get_customers().count(size).offset(offset);
                if let Some(email) = &query.email {
                    request = request.email(email.trim().to_owned());
                }
                send(VENDOR, request.send()).await
            })
            .await?;
        let body = success_json(VENDOR, &captured)?;
        Ok(Page {
            customers: vendors::carecloud::customers_from_page(&body, options)?,
            total: body
                .pointer("/data/total_items")
                .and_then(serde_json::Value::as_u64),
        })
    }

    pub async fn get(&self, id: &str, options: &ConvertOptions) -> Result<Option<Customer>, Error> {
        let captured = self
            .call(|client| async move {
                let request = client.get_customer().customer_id(id.to_owned());
                send(VENDOR, request.send()).await
            })
            .await?;
        let body = success_json(VENDOR, &captured).map_err(|err| match err.kind() {
            ErrorKind::NotFound => err.with_message(format!("no CareCloud customer has id `{id}`")),
            _ => err,
        })?;
        let Some(raw) = body.get("data").cloned() else {
            return Err(Error::from(crate::DecodeError {
                vendor: VENDOR,
                path: "$.data".to_owned(),
                message: "missing field `data`".to_owned(),
            }));
        };
        let record = decode::record(VENDOR, &raw, "$.data")?;
        Ok(Some(vendors::carecloud::to_customer(&record, raw, options)))
    }

    /// Runs `request` with the current client; on a 401 with login credentials, logs in again
    /// once and repeats it.
    async fn call<F, Fut>(&self, request: F) -> Result<Captured, Error>
    where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<Captured, Error>>,
    {
        let client = self.client().await?;
        let captured = request(client).await?;
        let expired = captured.status == reqwest::StatusCode::UNAUTHORIZED;
        if expired && matches!(self.auth, CareCloudAuth::Login { .. }) {
            tracing::info!(vendor = %VENDOR, "token rejected; logging in again");
            let client = self.login().await?;
            return request(client).await;
        }
        Ok(captured)
    }

    async fn client(&self) -> Result<Client, Error> {
        if let Some(client) = self.current.read().await.as_ref() {
            return Ok(client.clone());
        }
        match &self.auth {
            CareCloudAuth::Token(token) => {
                let client = self.with_token(token.expose())?;
                *self.current.write().await = Some(client.clone());
                Ok(client)
            }
            CareCloudAuth::Login { .. } => self.login().await,
        }
    }

    async fn login(&self) -> Result<Client, Error> {
        let CareCloudAuth::Login {
            app_id,
            login,
            password,
        } = &self.auth
        else {
            return Err(Error::new(VENDOR, ErrorKind::Unauthorized)
                .with_message("the bearer token was rejected and no login credentials are set"));
        };
        let anonymous = Client::without_credentials(&self.base_url)
            .map_err(config_error)?
            .with_transport(self.transport.clone());
        let body = LoginRequest {
            user_external_application_id: app_id.clone(),
            login: login.clone(),
            password: password.expose().to_owned(),
        };
        let captured = send(VENDOR, anonymous.login().body(body).send()).await?;
        let json = success_json(VENDOR, &captured)?;
        let token: carecloud_client::types::LoginResponse = decode::record(VENDOR, &json, "$")?;
        let client = self.with_token(&token.data.bearer_token)?;
        *self.current.write().await = Some(client.clone());
        Ok(client)
    }

    fn with_token(&self, token: &str) -> Result<Client, Error> {
        Ok(
            Client::with_credentials(&self.base_url, &Credentials::new(token))
                .map_err(config_error)?
                .with_transport(self.transport.clone()),
        )
    }
}

fn config_error(err: client_runtime::AuthError) -> Error {
    Error::new(VENDOR, ErrorKind::Configuration).with_message(err.to_string())
}

//! Bearer auth over the HTTP seam: every attempt carries a current token, and
//! a 401 gets one retry with a freshly fetched one before it counts as a
//! refusal.

use std::sync::Arc;

use async_trait::async_trait;
use http::{Extensions, HeaderValue};
use reqwest::{Request, Response, StatusCode, header::AUTHORIZATION};
use reqwest_middleware::{Middleware, Next};

use crate::auth::TokenSource;
use crate::{Error, ErrorKind};

/// See the module docs.
pub struct BearerAuthLayer {
    tokens: Arc<dyn TokenSource>,
}

impl BearerAuthLayer {
    /// Authenticates with tokens from `tokens`.
    pub fn new(tokens: Arc<dyn TokenSource>) -> Self {
        BearerAuthLayer { tokens }
    }

    async fn authorize(&self, req: &mut Request) -> Result<(), Error> {
        let token = self.tokens.token().await?;
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::new(
                    ErrorKind::Unauthorized,
                    "access token is not a valid header value",
                )
            })?;
        value.set_sensitive(true);
        req.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }
}

#[async_trait]
impl Middleware for BearerAuthLayer {
    async fn handle(
        &self,
        mut req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let replay = req.try_clone();
        self.authorize(&mut req).await?;
        let response = next.clone().run(req, extensions).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(mut again) = replay else {
            return Ok(response);
        };
        tracing::info!("access token refused; fetching a new one");
        self.tokens.invalidate().await;
        self.authorize(&mut again).await?;
        next.run(again, extensions).await
    }
}

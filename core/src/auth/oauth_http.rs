//! Hands a reqwest client of ours to the `oauth2` crate (its own default
//! pulls a second, older reqwest). One that follows no redirect, as the
//! crate asks: a token endpoint that redirects must not send a grant on to
//! another host.

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

/// Our client, as `oauth2`'s async HTTP client.
pub(crate) struct OAuthHttp(pub(crate) reqwest::Client);

impl OAuthHttp {
    /// A client for token endpoints: no redirects, calls time out.
    pub(crate) fn new() -> crate::Result<OAuthHttp> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("tether/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(OAuthHttp)
            .map_err(|e| crate::Error::config(format!("building the HTTP client: {e}")))
    }
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request)?;
            let response = self.0.execute(request).await?;
            let mut out = http::Response::builder()
                .status(response.status())
                .version(response.version());
            if let Some(headers) = out.headers_mut() {
                *headers = response.headers().clone();
            }
            let body = response.bytes().await?.to_vec();
            Ok(out.body(body).unwrap_or_default())
        })
    }
}

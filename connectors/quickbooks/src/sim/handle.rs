//! The handle on a running simulator: the kit's [`SimHandle`](tether_sim_kit::SimHandle)
//! (address, app, companies, clock, faults, `corrupt`, `snapshot`,
//! `shutdown`) plus what QuickBooks adds: its counters with calls made
//! without `minorversion`, Playground tokens, and the company's name.

use std::ops::Deref;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use super::auth;
use super::provider::QuickBooks;

/// The counters since start or the last reset: the kit's, plus calls made
/// without `?minorversion=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimStats {
    /// Requests per route, 429s, injected errors, lost answers, OAuth grants.
    #[serde(flatten)]
    pub counters: tether_sim_kit::SimStats,
    /// API calls that carried no `minorversion` parameter (Intuit answers
    /// them as its oldest supported version, so a connector never should).
    pub missing_minorversion: u64,
}

impl Deref for SimStats {
    type Target = tether_sim_kit::SimStats;

    fn deref(&self) -> &Self::Target {
        &self.counters
    }
}

/// A running simulator; dropping it (or [`shutdown`](Self::shutdown))
/// stops it. Everything of the kit's handle is reached through it.
pub struct SimHandle {
    pub(super) inner: tether_sim_kit::SimHandle<QuickBooks>,
}

impl Deref for SimHandle {
    type Target = tether_sim_kit::SimHandle<QuickBooks>;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl SimHandle {
    /// The counters (the kit's, as `GET /_sim/stats`, plus calls without
    /// `minorversion`).
    pub fn stats(&self) -> SimStats {
        let missing = &self.inner.state().provider.missing_minorversion;
        SimStats {
            counters: self.inner.stats(),
            missing_minorversion: missing.load(Ordering::Relaxed),
        }
    }

    /// Zeroes every counter.
    pub fn reset_stats(&self) {
        self.inner.reset_stats();
        self.inner
            .state()
            .provider
            .missing_minorversion
            .store(0, Ordering::Relaxed);
    }

    /// An access token of the registered app for `realm`, as Intuit's OAuth
    /// Playground hands one to a developer (tests act as another user).
    ///
    /// # Panics
    /// When the simulator serves no such company (a test's mistake).
    pub fn playground_token(&self, realm: &str) -> String {
        let answer = auth::playground(self.inner.state(), realm);
        let answer = answer.unwrap_or_else(|| panic!("the simulator serves no realm {realm}"));
        answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The company's name as its `CompanyInfo` answers it (what a connector
    /// should call the company), for this handle's realm.
    pub fn company_name(&self) -> String {
        let state = self.inner.state();
        let company = &state.tenants[&self.inner.tenant_id()];
        let books = company.data.read().unwrap_or_else(|p| p.into_inner());
        books.company_info()["CompanyName"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A handle on the same server whose data methods act on `realm`.
    ///
    /// # Panics
    /// When the simulator serves no such company (a test's mistake).
    pub fn tenant_view(&self, realm: &str) -> SimHandle {
        SimHandle {
            inner: self.inner.tenant_view(realm.to_string()),
        }
    }

    /// The id field of a kind: `Id` for every QuickBooks entity, empty for
    /// an unknown kind.
    pub fn id_field(kind: &str) -> &'static str {
        tether_sim_kit::SimHandle::<QuickBooks>::id_field(kind)
    }

    /// Stops the server and waits (up to 5 s) for it to finish.
    pub async fn shutdown(self) {
        self.inner.shutdown().await;
    }
}

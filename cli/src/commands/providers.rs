//! `tether providers`

use std::process::ExitCode;

use serde::Serialize;

use crate::context::Global;
use crate::output::{Table, json_line};

#[derive(clap::Args)]
pub struct Args {}

#[derive(Serialize)]
struct Provider {
    id: &'static str,
    name: &'static str,
    kinds: Vec<&'static str>,
    sandbox: bool,
}

pub async fn run(_args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let sandboxes = tether_core::sandbox::sandboxes();
    let providers: Vec<Provider> = tether_core::connectors()
        .into_iter()
        .map(|c| Provider {
            id: c.id(),
            name: c.display_name(),
            kinds: c.kinds().iter().map(|k| k.name()).collect(),
            sandbox: sandboxes.contains(&c.id()),
        })
        .collect();
    if global.json {
        for p in &providers {
            json_line(p)?;
        }
    } else {
        let mut table = Table::new(&["PROVIDER", "NAME", "SANDBOX", "KINDS"]);
        for p in &providers {
            table.row(vec![
                p.id.to_owned(),
                p.name.to_owned(),
                if p.sandbox { "yes" } else { "no" }.to_owned(),
                p.kinds.join(", "),
            ]);
        }
        table.print();
    }
    Ok(ExitCode::SUCCESS)
}

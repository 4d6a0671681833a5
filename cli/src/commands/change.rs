//! `tether put`, `tether edit`, `tether delete`: local changes, checked and
//! stored at once; `tether export` sends them to the provider.

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::Value;
use tether_core::local::{self, LocalEdit};
use tether_core::pending::RecordKey;

use super::sync::select_kinds;
use crate::context::{Context, Global};
use crate::output::json_line;

/// `tether put NAME KIND --file obj.json`.
#[derive(clap::Args)]
pub struct PutArgs {
    /// The connection.
    pub name: String,
    /// The kind, e.g. `invoices`.
    pub kind: String,
    /// The new object as JSON, in the provider's shape; `-` reads standard
    /// input. Write `"local:<id>"` where the provider id of another local
    /// record will stand.
    #[arg(long, short)]
    pub file: String,
}

/// `tether edit NAME KIND ID --file patch.json`.
#[derive(clap::Args)]
pub struct EditArgs {
    /// The connection.
    pub name: String,
    /// The kind.
    pub kind: String,
    /// The record: its local id, or the provider's id.
    pub id: String,
    /// A JSON merge patch (RFC 7396): the fields to set; `null` removes one.
    /// `-` reads standard input.
    #[arg(long, short)]
    pub file: String,
}

/// `tether delete NAME KIND ID`.
#[derive(clap::Args)]
pub struct DeleteArgs {
    /// The connection.
    pub name: String,
    /// The kind.
    pub kind: String,
    /// The record: its local id, or the provider's id.
    pub id: String,
}

pub async fn put(args: PutArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let object = read_json(&args.file)?;
    stage(global, &args.name, &args.kind, LocalEdit::Create(object)).await
}

pub async fn edit(args: EditArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let patch = read_json(&args.file)?;
    let edit = LocalEdit::Update(RecordKey::parse(&args.id), patch);
    stage(global, &args.name, &args.kind, edit).await
}

pub async fn delete(args: DeleteArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let edit = LocalEdit::Delete(RecordKey::parse(&args.id));
    stage(global, &args.name, &args.kind, edit).await
}

/// Checks and stores the edit; prints the record's local id.
async fn stage(
    global: &Global,
    name: &str,
    kind: &str,
    edit: LocalEdit,
) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(name).await?;
    let connector = tether_core::connector(&connection.provider)
        .with_context(|| format!("provider `{}` is not in this build", connection.provider))?;
    let kind = select_kinds(connector.kinds(), &[kind.to_owned()])?[0];
    let id = local::stage(&ctx.store, connection.id, kind, edit).await?;
    if ctx.json {
        json_line(&serde_json::json!({ "local_id": id }))?;
    } else {
        println!("{id}");
    }
    Ok(ExitCode::SUCCESS)
}

/// JSON from a file, or from standard input for `-`.
fn read_json(file: &str) -> anyhow::Result<Value> {
    let text = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        text
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
    };
    serde_json::from_str(&text).with_context(|| format!("{file} is not valid JSON"))
}

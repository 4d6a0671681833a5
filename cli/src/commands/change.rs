//! `tether put`, `tether edit`, `tether delete`: local changes, checked and
//! stored at once; `tether export` sends them to the provider.

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::Value;
use tether_core::local::{self, LocalEdit};

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
    /// The record: the provider's id, `local:N` for our local id, or bare digits
    /// for whichever of the two exists (refused when both do and differ).
    pub id: String,
    /// A JSON merge patch (RFC 7396): the fields to set; `null` removes one.
    /// `-` reads standard input.
    #[arg(long, short)]
    pub file: String,
}

/// `tether delete NAME KIND ID`, and `tether void` with the same arguments.
#[derive(clap::Args)]
pub struct DeleteArgs {
    /// The connection.
    pub name: String,
    /// The kind.
    pub kind: String,
    /// The record: the provider's id, `local:N` for our local id, or bare digits
    /// for whichever of the two exists (refused when both do and differ).
    pub id: String,
}

/// An edit as typed: the record still named as the person wrote it.
enum Typed {
    Create(Value),
    Update(String, Value),
    Delete(String),
    Void(String),
}

pub async fn put(args: PutArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let object = read_json(&args.file)?;
    stage(global, &args.name, &args.kind, Typed::Create(object)).await
}

pub async fn edit(args: EditArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let patch = read_json(&args.file)?;
    stage(
        global,
        &args.name,
        &args.kind,
        Typed::Update(args.id, patch),
    )
    .await
}

pub async fn delete(args: DeleteArgs, global: &Global) -> anyhow::Result<ExitCode> {
    stage(global, &args.name, &args.kind, Typed::Delete(args.id)).await
}

pub async fn void(args: DeleteArgs, global: &Global) -> anyhow::Result<ExitCode> {
    stage(global, &args.name, &args.kind, Typed::Void(args.id)).await
}

/// Checks and stores the edit; prints the record's local id.
async fn stage(global: &Global, name: &str, kind: &str, edit: Typed) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(name).await?;
    let connector = tether_core::connector(&connection.provider)
        .with_context(|| format!("provider `{}` is not in this build", connection.provider))?;
    let kind = select_kinds(connector.kinds(), &[kind.to_owned()])?[0];
    let edit = match edit {
        Typed::Create(object) => LocalEdit::Create(object),
        Typed::Update(typed, patch) => LocalEdit::Update(
            local::record_key(&ctx.store, connection.id, kind.name(), &typed).await?,
            patch,
        ),
        Typed::Delete(typed) => LocalEdit::Delete(
            local::record_key(&ctx.store, connection.id, kind.name(), &typed).await?,
        ),
        Typed::Void(typed) => LocalEdit::Void(
            local::record_key(&ctx.store, connection.id, kind.name(), &typed).await?,
        ),
    };
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

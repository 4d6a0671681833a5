//! Tracking categories and their options: create, rename, archive and
//! restore, and delete — which Xero allows only for unused ones
//! ("Delete unused tracking categories and options",
//! developer.xero.com/documentation/api/tracking-categories).

use serde_json::{Map, Value};
use uuid::Uuid;

use super::usage::{tracking_category_used, tracking_option_used};
use super::{Ctx, Failure, Target, merged};
use crate::sim::collections::Kind;
use crate::sim::model::*;

const READ_ONLY: &[&str] = &["ValidationErrors", "TrackingOptionID", "Option"];
const OPTION_READ_ONLY: &[&str] = &[
    "TrackingOptionID",
    "TrackingCategoryID",
    "HasValidationErrors",
    "IsDeleted",
    "IsArchived",
    "IsActive",
    "ValidationErrors",
];

/// "A Xero organisation can have a maximum of two ACTIVE tracking categories
/// and four tracking categories total (ACTIVE and ARCHIVED)"
/// (developer.xero.com/documentation/api/tracking-categories).
const MAX_ACTIVE: usize = 2;
const MAX_TOTAL: usize = 4;

/// `PUT /TrackingCategories` and `POST /TrackingCategories/{id}`: archiving
/// (`Status: ARCHIVED`) and restoring (`ACTIVE`) are updates like others.
pub(crate) fn write_category(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let raw = match target {
        Target::Existing(id) => ctx
            .data
            .col(Kind::TrackingCategories)
            .get(&id)
            .map(|e| e.raw.to_string()),
        Target::New => None,
    };
    let is_new = raw.is_none();
    let mut c: TrackingCategory = merged(raw.as_deref(), incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    let name = c.Name.clone().unwrap_or_default();
    let me = c.TrackingCategoryID;
    let col = ctx.data.col(Kind::TrackingCategories);
    if name.trim().is_empty() {
        errors.push("Please enter a Name.".to_string());
    } else if col.iter().any(|(id, e)| {
        Some(id) != me
            && e.number
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    }) {
        errors.push("Please enter a unique Name.".to_string());
    }
    let status = c.Status.clone().unwrap_or_else(|| "ACTIVE".into());
    if !matches!(status.as_str(), "ACTIVE" | "ARCHIVED") {
        errors.push(format!(
            "A tracking category cannot be given the status {status}."
        ));
    }
    let others = col.iter().filter(|(id, _)| Some(*id) != me);
    let active_others = others
        .filter(|(_, e)| Kind::TrackingCategories.status_name(e.status) == Some("ACTIVE"))
        .count();
    if status == "ACTIVE" && active_others >= MAX_ACTIVE {
        errors.push(format!(
            "You can only have {MAX_ACTIVE} active tracking categories."
        ));
    }
    if is_new && col.len() >= MAX_TOTAL {
        errors.push(format!(
            "You can only have {MAX_TOTAL} tracking categories."
        ));
    }
    c.Status = Some(status);
    for o in c.Options.get_or_insert_with(Vec::new).iter_mut() {
        o.TrackingOptionID.get_or_insert_with(Uuid::new_v4);
        o.Status.get_or_insert_with(|| "ACTIVE".into());
    }
    if !errors.is_empty() {
        c.TrackingCategoryID.get_or_insert(Uuid::nil());
        c.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&c, errors));
    }
    c.TrackingCategoryID.get_or_insert_with(Uuid::new_v4);
    ctx.store(&c)
}

/// `DELETE /TrackingCategories/{id}`: an unused category is removed for
/// good and answered with Status DELETED (the spec's example); a used one
/// is refused.
pub(crate) fn delete_category(ctx: &mut Ctx, id: Uuid) -> Result<Option<String>, Failure> {
    let Some(mut c) = ctx.get::<TrackingCategory>(Kind::TrackingCategories, &id) else {
        return Ok(None);
    };
    if tracking_category_used(ctx.data, id) {
        let msg = vec![
            "This tracking category has been used on transactions and cannot be deleted; archive it instead."
                .to_string(),
        ];
        c.ValidationErrors = Some(ValidationError::list(&msg));
        return Err(Failure::new(&c, msg));
    }
    ctx.remove(Kind::TrackingCategories, id);
    c.Status = Some("DELETED".into());
    Ok(serde_json::to_string(&c).ok())
}

/// The option as the option endpoints answer it (the spec's examples:
/// `HasValidationErrors`, `IsDeleted`, `IsArchived`, `IsActive`).
pub(crate) fn option_answer(o: &TrackingOption, errors: &[String]) -> OptionAnswer {
    let status = o.Status.clone().unwrap_or_else(|| "ACTIVE".into());
    OptionAnswer {
        TrackingOptionID: Some(o.TrackingOptionID.unwrap_or_else(Uuid::nil)),
        Name: o.Name.clone(),
        IsDeleted: Some(status == "DELETED"),
        IsArchived: Some(status == "ARCHIVED"),
        IsActive: Some(status == "ACTIVE"),
        Status: Some(status),
        HasValidationErrors: Some(!errors.is_empty()),
        ValidationErrors: (!errors.is_empty()).then(|| ValidationError::list(errors)),
    }
}

fn option_failure(o: &TrackingOption, errors: Vec<String>) -> Failure {
    Failure::new(option_answer(o, &errors), errors)
}

/// Checks an option's name (required, at most 100 characters, unique in its
/// category) and status (ACTIVE or ARCHIVED; DELETED only by `DELETE`).
fn check_option(others: &[TrackingOption], o: &TrackingOption) -> Vec<String> {
    let mut errors = Vec::new();
    let name = o.Name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        errors.push("Please enter a Name.".to_string());
    } else if name.chars().count() > 100 {
        errors.push("The Name must not be longer than 100 characters.".to_string());
    } else if others.iter().any(|x| {
        x.TrackingOptionID != o.TrackingOptionID
            && x.Name
                .as_deref()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(name.trim()))
    }) {
        errors.push(format!(
            "The tracking option name '{name}' is already in use."
        ));
    }
    match o.Status.as_deref() {
        None | Some("ACTIVE" | "ARCHIVED") => {}
        Some(s) => errors.push(format!("A tracking option cannot be given the status {s}.")),
    }
    errors
}

/// `PUT /TrackingCategories/{id}/Options`: adds options to a category;
/// `None` when there is no such category.
pub(crate) fn add_options(
    ctx: &mut Ctx,
    category: Uuid,
    els: &[Map<String, Value>],
) -> Result<Option<Vec<OptionAnswer>>, Failure> {
    let Some(mut c) = ctx.get::<TrackingCategory>(Kind::TrackingCategories, &category) else {
        return Ok(None);
    };
    let mut added = Vec::with_capacity(els.len());
    for el in els {
        let mut o: TrackingOption = merged(None, el, OPTION_READ_ONLY)?;
        o.TrackingOptionID = Some(Uuid::new_v4());
        let options = c.Options.get_or_insert_with(Vec::new);
        let errors = check_option(options, &o);
        if !errors.is_empty() {
            return Err(option_failure(&o, errors));
        }
        o.Status = Some("ACTIVE".into());
        options.push(o.clone());
        added.push(option_answer(&o, &[]));
    }
    ctx.store(&c)?;
    Ok(Some(added))
}

/// `POST /TrackingCategories/{id}/Options/{option}`: renames an option or
/// archives / restores it; `None` when either does not exist.
pub(crate) fn update_option(
    ctx: &mut Ctx,
    category: Uuid,
    option: Uuid,
    el: &Map<String, Value>,
) -> Result<Option<OptionAnswer>, Failure> {
    let Some(mut c) = ctx.get::<TrackingCategory>(Kind::TrackingCategories, &category) else {
        return Ok(None);
    };
    let options = c.Options.get_or_insert_with(Vec::new);
    let Some(at) = options
        .iter()
        .position(|o| o.TrackingOptionID == Some(option))
    else {
        return Ok(None);
    };
    let old = serde_json::to_string(&options[at]).ok();
    let o: TrackingOption = merged(old.as_deref(), el, OPTION_READ_ONLY)?;
    let errors = check_option(options, &o);
    if !errors.is_empty() {
        return Err(option_failure(&o, errors));
    }
    options[at] = o.clone();
    ctx.store(&c)?;
    Ok(Some(option_answer(&o, &[])))
}

/// `DELETE /TrackingCategories/{id}/Options/{option}`: an unused option is
/// removed for good and answered with Status DELETED (the spec's example);
/// a used one is refused. `None` when either does not exist.
pub(crate) fn delete_option(
    ctx: &mut Ctx,
    category: Uuid,
    option: Uuid,
) -> Result<Option<OptionAnswer>, Failure> {
    let Some(mut c) = ctx.get::<TrackingCategory>(Kind::TrackingCategories, &category) else {
        return Ok(None);
    };
    let options = c.Options.get_or_insert_with(Vec::new);
    let Some(at) = options
        .iter()
        .position(|o| o.TrackingOptionID == Some(option))
    else {
        return Ok(None);
    };
    if tracking_option_used(ctx.data, option) {
        let msg = vec![
            "This tracking option has been used on transactions and cannot be deleted; archive it instead."
                .to_string(),
        ];
        return Err(option_failure(&options[at], msg));
    }
    let mut gone = options.remove(at);
    ctx.store(&c)?;
    gone.Status = Some("DELETED".into());
    Ok(Some(option_answer(&gone, &[])))
}

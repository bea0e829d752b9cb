//! The SVG badge of a run (`--badge`): `ecs conformance | 94 %`, the score being cases
//! passed out of cases judged, coloured by standing (green conformant, yellow known
//! deviations only, red failing), rendered from `templates/badge.svg.j2`.

use super::document::RunDocument;
use super::score::{self, Standing};
use super::templates::{self, TemplateError};
use serde::Serialize;

/// The badge's left-hand text.
const LABEL: &str = "ecs conformance";

#[derive(Serialize)]
struct BadgeContext {
    label: &'static str,
    value: String,
    standing: &'static str,
    colour: &'static str,
    width: usize,
    label_width: usize,
    value_width: usize,
    label_x: f64,
    value_x: f64,
}

/// Approximate width in pixels of `text` in 11px Verdana, with padding.
fn text_width(text: &str) -> usize {
    text.chars().count() * 7 + 10
}

/// Renders the badge of a run document.
pub fn render(doc: &RunDocument) -> Result<String, TemplateError> {
    let standing = Standing::of(doc);
    let value = score::overall(doc).label();
    let label_width = text_width(LABEL);
    let value_width = text_width(&value);
    templates::render(
        templates::BADGE,
        BadgeContext {
            label: LABEL,
            standing: standing.as_str(),
            colour: standing.colour(),
            width: label_width + value_width,
            label_width,
            value_width,
            label_x: label_width as f64 / 2.0,
            value_x: label_width as f64 + value_width as f64 / 2.0,
            value,
        },
    )
}

#[cfg(test)]
mod tests;

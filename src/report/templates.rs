//! Rendering of the report templates kept as data under `templates/` (embedded in the
//! binary): one minijinja environment with auto-escaping on for `.html.j2` and
//! `.svg.j2`, so every value a template shows is escaped.

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

/// The SVG badge template.
pub const BADGE: (&str, &str) = ("badge.svg.j2", include_str!("../../templates/badge.svg.j2"));
/// The HTML report template.
pub const REPORT_HTML: (&str, &str) = (
    "report.html.j2",
    include_str!("../../templates/report.html.j2"),
);

/// A template could not be rendered (a bug of the template, never of the run).
#[derive(Debug, thiserror::Error)]
#[error("cannot render the template {name}: {source:#}")]
pub struct TemplateError {
    pub name: String,
    #[source]
    pub source: minijinja::Error,
}

/// Auto-escaping by the template's name: HTML escaping for HTML and SVG (XML).
fn escaping(name: &str) -> AutoEscape {
    let base = name.strip_suffix(".j2").unwrap_or(name);
    if base.ends_with(".html") || base.ends_with(".svg") || base.ends_with(".xml") {
        AutoEscape::Html
    } else {
        AutoEscape::None
    }
}

/// Renders `template` (name, source) with `context`.
pub fn render(template: (&str, &str), context: impl Serialize) -> Result<String, TemplateError> {
    let (name, source) = template;
    let error = |source| TemplateError {
        name: name.to_owned(),
        source,
    };
    let mut env = Environment::new();
    env.set_auto_escape_callback(escaping);
    env.add_template(name, source).map_err(error)?;
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(error)
}

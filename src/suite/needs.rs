//! Which fixtures a case needs without naming them: those that `checks:` a suite
//! variable the case uses (the `network` fixture vouches for `subnet` and
//! `security_group`, so every case that places a task in them needs it).

use super::model::Step;
use super::template;
use super::PlannedFixture;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Fixtures that check a suite variable the case uses (in its `vars`, requests,
/// conditions or teardown) and does not define itself: the case needs them too.
pub(crate) fn checking_fixtures(
    vars: &Map<String, Value>,
    steps: &[Step],
    teardown: &[Step],
    fixtures: &[PlannedFixture],
) -> Vec<String> {
    let mut strings = Vec::new();
    for value in vars.values() {
        template::strings(value, &mut strings);
    }
    for step in steps.iter().chain(teardown) {
        template::strings(&step.request, &mut strings);
        if let Some(until) = &step.until {
            template::strings(&Value::Object(until.clone()), &mut strings);
        }
        if let Some(expect) = &step.expect {
            template::strings(&Value::Object(expect.body.clone()), &mut strings);
            template::strings(&Value::Object(expect.headers.clone()), &mut strings);
        }
    }
    let used: BTreeSet<&str> = strings
        .iter()
        .filter_map(|s| template::references(s).ok())
        .flatten()
        .filter(|name| !vars.contains_key(*name))
        .collect();
    fixtures
        .iter()
        .filter(|f| f.checks.iter().any(|v| used.contains(v.as_str())))
        .map(|f| f.name.clone())
        .collect()
}

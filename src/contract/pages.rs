//! Invariants of a paginated ListTasks walk: every page respects the request's
//! maxResults, and no task ARN comes back twice across the pages.

use super::invariants::Observer;
use crate::client::Exchange;
use crate::finding::Finding;
use crate::rules::Rule;
use serde_json::Value;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// ListTasks answers at most this many ARNs per page when maxResults is not given.
const DEFAULT_MAX_RESULTS: u64 = 100;

/// Identifies one exchange, so a page judged by `observe` is not judged again.
pub(super) fn fingerprint(ex: &Exchange) -> u64 {
    let mut h = DefaultHasher::new();
    ex.operation().hash(&mut h);
    ex.request.body.to_string().hash(&mut h);
    ex.response.status.hash(&mut h);
    ex.response.body_text.hash(&mut h);
    h.finish()
}

/// The `taskArns` of a successful ListTasks answer.
fn task_arns(ex: &Exchange) -> Option<&Vec<Value>> {
    if !ex.response.is_success() {
        return None;
    }
    ex.response
        .body
        .as_ref()
        .and_then(|b| b.get("taskArns"))
        .and_then(Value::as_array)
}

/// A page holds at most maxResults ARNs. `page` numbers the page in messages.
pub(super) fn max_results(ex: &Exchange, page: Option<usize>) -> Vec<Finding> {
    let Some(arns) = task_arns(ex) else {
        return Vec::new();
    };
    let max = match ex.request.body.get("maxResults") {
        None => DEFAULT_MAX_RESULTS,
        Some(v) => match v.as_u64() {
            Some(m) => m,
            None => return Vec::new(),
        },
    };
    if arns.len() as u64 <= max {
        return Vec::new();
    }
    let which = page.map_or(String::new(), |p| format!("page {} ", p + 1));
    vec![Finding::new(Rule::ListMaxResults, "/taskArns")
        .expected(format!("at most {max} ARNs"))
        .actual(format!("{} ARNs", arns.len()))
        .message(format!(
            "ListTasks {which}returned {} ARNs, more than maxResults {max}",
            arns.len()
        ))]
}

impl Observer<'_> {
    /// Invariants over the pages of one paginated ListTasks walk (each page was already
    /// passed to `observe`): every page respects the request's maxResults, no ARN
    /// repeats across pages. A page `observe` already judged for maxResults is not
    /// reported twice.
    pub fn observe_pages(&mut self, pages: &[Exchange]) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, ex) in pages.iter().enumerate() {
            if !self.judged_pages.contains(&fingerprint(ex)) {
                out.extend(max_results(ex, Some(i)));
            }
            let Some(arns) = task_arns(ex) else {
                continue;
            };
            for (j, arn) in arns.iter().enumerate() {
                let Some(arn) = arn.as_str() else { continue };
                if let Some(first) = seen.insert(arn, i) {
                    out.push(
                        Finding::new(Rule::ListNoRepeat, format!("/taskArns/{j}"))
                            .expected("each task ARN once across the walk")
                            .actual(arn)
                            .message(format!(
                                "page {} repeats {arn}, already returned on page {}",
                                i + 1,
                                first + 1
                            )),
                    );
                }
            }
        }
        out
    }
}

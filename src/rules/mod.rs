//! The rule table: every rule a finding or a known deviation can name, as one typed
//! [`Rule`], with its id, severity, the stage of the harness that judges it, the
//! document it comes from and a one-line summary ([`RuleInfo`]). A finding carries a
//! `Rule`, so a rule that is not in the table cannot be reported; its id is the string
//! run documents, JUnit files, target files and the README show.

use crate::finding::Severity;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Which part of the harness judges a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// The built-in contract checks (`contract`), on every response without a case asking.
    Contract,
    /// What a case states about a step's answer (`judge`): status, error, body, headers.
    Expectation,
    /// What a case asks the runner to do with answers (`run`): poll, save, paginate.
    Runner,
    /// The comparison with the stored snapshots (`snapshot`).
    Snapshot,
    /// No usable answer from the target (`client`): the rules of a target error.
    Target,
}

/// One rule, as `ecs-conform rules` and the README table show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub rule: Rule,
    /// The stable id (`schema.response`): what findings, documents and target files say.
    pub id: &'static str,
    pub severity: Severity,
    pub stage: Stage,
    /// Files that ship in the repository, `;`-separated, each `path, section` (a
    /// section of docs/contract.md is one of its headings; tests/contract/rule_sources.rs checks).
    pub source: &'static str,
    pub summary: &'static str,
}

/// Declares [`Rule`] (one variant per rule) and the table of their [`RuleInfo`]s in
/// the same order, so `TABLE[rule as usize]` is the rule's entry.
macro_rules! rule_table {
    ($($variant:ident = $id:literal, $severity:ident, $stage:ident, $source:literal,
        $summary:literal;)*) => {
        /// A rule of the table; its [`id`](Rule::id) is how it is written everywhere.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $(#[doc = $summary] $variant,)*
        }

        impl Rule {
            /// Every rule, in table order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];
        }

        pub(super) static TABLE: &[RuleInfo] = &[$(RuleInfo {
            rule: Rule::$variant,
            id: $id,
            severity: Severity::$severity,
            stage: Stage::$stage,
            source: $source,
            summary: $summary,
        },)*];
    };
}

pub mod scope;
mod table;

pub use table::Rule;
use table::TABLE;

/// Every rule, for `ecs-conform rules` and the README table.
pub fn all() -> &'static [RuleInfo] {
    TABLE
}

/// A rule id that is not in the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no rule `{0}`: `ecs-conform rules` lists them")]
pub struct UnknownRule(pub String);

impl Rule {
    /// The table entry of this rule.
    pub fn info(self) -> &'static RuleInfo {
        &TABLE[self as usize]
    }

    /// The stable id, e.g. `schema.response`.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The id (the name `&str` comparisons and `as_str()` callers know).
    pub fn as_str(self) -> &'static str {
        self.id()
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    pub fn stage(self) -> Stage {
        self.info().stage
    }

    /// The rule whose id is exactly `id`.
    pub fn from_id(id: &str) -> Option<Rule> {
        TABLE.iter().find(|r| r.id == id).map(|r| r.rule)
    }
}

impl std::str::FromStr for Rule {
    type Err = UnknownRule;

    fn from_str(id: &str) -> Result<Rule, UnknownRule> {
        Rule::from_id(id).ok_or_else(|| UnknownRule(id.to_owned()))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let id = String::deserialize(deserializer)?;
        id.parse().map_err(serde::de::Error::custom)
    }
}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.id() == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

impl PartialEq<String> for Rule {
    fn eq(&self, other: &String) -> bool {
        self.id() == other
    }
}

impl PartialEq<Rule> for str {
    fn eq(&self, other: &Rule) -> bool {
        self == other.id()
    }
}

impl PartialEq<Rule> for &str {
    fn eq(&self, other: &Rule) -> bool {
        *self == other.id()
    }
}

impl PartialEq<Rule> for String {
    fn eq(&self, other: &Rule) -> bool {
        self == other.id()
    }
}

#[cfg(test)]
mod tests;

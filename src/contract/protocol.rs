//! The protocol errors of AWS JSON 1.1 that any operation may return besides the errors
//! it documents (SerializationException, UnknownOperationException, the authentication
//! and throttling errors): read from `protocol_errors` in `schemas/operations.json`, and
//! the test whether the request that was sent gives the reason such an error needs.

use super::data::Fault;
use super::Contract;
use crate::client::SentRequest;
use serde_json::Value;
use std::collections::BTreeMap;

/// What in the request explains a protocol error (the `when` of its data entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// `request-body-invalid`: the body is not a JSON object, or a member has a JSON type
    /// the request schema does not allow.
    RequestBodyInvalid,
    /// `target-header`: X-Amz-Target does not name the operation with the service prefix.
    TargetHeader,
    /// `unsigned`: the request carries no Authorization header.
    Unsigned,
    /// `signed`: the request is signed; only the target knows whether the key, the
    /// signature or the token is valid.
    Signed,
    /// `any`: nothing in the request decides it (throttling depends on the call rate).
    Any,
}

impl Cause {
    fn parse(s: &str) -> Option<Cause> {
        Some(match s {
            "request-body-invalid" => Cause::RequestBodyInvalid,
            "target-header" => Cause::TargetHeader,
            "unsigned" => Cause::Unsigned,
            "signed" => Cause::Signed,
            "any" => Cause::Any,
            _ => return None,
        })
    }

    /// The condition in words, for a finding's message.
    pub fn describe(self) -> &'static str {
        match self {
            Cause::RequestBodyInvalid => {
                "only when the request body is not a JSON object or a member has the wrong JSON type"
            }
            Cause::TargetHeader => {
                "only when X-Amz-Target does not name the operation with the service prefix"
            }
            Cause::Unsigned => "only when the request carries no Authorization header",
            Cause::Signed => "whenever the request is signed",
            Cause::Any => "on any request",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProtocolError {
    pub fault: Fault,
    pub cause: Cause,
}

/// The `protocol_errors` section; empty when the data file has none.
#[derive(Debug, Default)]
pub(crate) struct ProtocolErrors {
    /// X-Amz-Target prefix, e.g. `AmazonEC2ContainerServiceV20141113.`.
    pub target_prefix: String,
    pub errors: BTreeMap<String, ProtocolError>,
}

impl ProtocolErrors {
    pub fn get(&self, name: &str) -> Option<&ProtocolError> {
        self.errors.get(name)
    }

    /// Whether `req` (a call of `op`) gives the reason `cause` needs.
    pub fn request_explains(
        &self,
        contract: &Contract,
        op: &str,
        req: &SentRequest,
        cause: Cause,
    ) -> bool {
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        match cause {
            Cause::RequestBodyInvalid => {
                !req.body.is_object() || contract.request_has_type_errors(op, &req.body)
            }
            Cause::TargetHeader => {
                header("x-amz-target") != Some(format!("{}{op}", self.target_prefix).as_str())
            }
            Cause::Unsigned => header("authorization").is_none(),
            Cause::Signed => header("authorization").is_some(),
            Cause::Any => true,
        }
    }
}

/// Parses the optional `protocol_errors` member. Errors are sentences naming the member.
pub(crate) fn parse(v: Option<&Value>) -> Result<ProtocolErrors, String> {
    let Some(v) = v else {
        return Ok(ProtocolErrors::default());
    };
    let at = "protocol_errors";
    let obj = v.as_object().ok_or(format!("{at} must be a JSON object"))?;
    let target_prefix = obj
        .get("target_prefix")
        .and_then(Value::as_str)
        .ok_or(format!("{at}.target_prefix must be a string"))?
        .to_string();
    let list = obj
        .get("errors")
        .and_then(Value::as_object)
        .ok_or(format!("{at}.errors must be a JSON object"))?;
    let mut errors = BTreeMap::new();
    for (name, entry) in list.iter().filter(|(k, _)| !k.starts_with('$')) {
        let field = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .ok_or(format!("{at}.errors.{name}.{key} must be a string"))
        };
        let fault = match field("fault")? {
            "client" => Fault::Client,
            "server" => Fault::Server,
            other => {
                return Err(format!(
                    "{at}.errors.{name}.fault is {other:?}; expected \"client\" or \"server\""
                ))
            }
        };
        let when = field("when")?;
        let cause = Cause::parse(when).ok_or(format!(
            "{at}.errors.{name}.when is {when:?}; expected request-body-invalid, target-header, unsigned, signed or any"
        ))?;
        field("reason")?;
        errors.insert(name.clone(), ProtocolError { fault, cause });
    }
    Ok(ProtocolErrors {
        target_prefix,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_rejects_an_unknown_cause() {
        let doc = json!({"target_prefix": "P.", "errors": {
            "$comment": "skipped",
            "ThrottlingException": {"fault": "client", "when": "any", "reason": "rate"}
        }});
        let p = parse(Some(&doc)).unwrap();
        assert_eq!(p.get("ThrottlingException").unwrap().cause, Cause::Any);
        let bad = json!({"target_prefix": "P.", "errors": {
            "X": {"fault": "client", "when": "sometimes", "reason": "r"}
        }});
        assert!(parse(Some(&bad)).unwrap_err().contains("errors.X.when"));
        assert!(parse(None).unwrap().errors.is_empty());
    }
}

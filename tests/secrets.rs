//! Secrets never leave the target module: the recorded exchange, the curl reproduction
//! and the rendered failure carry no access key secret, session token or signature.

use ecs_conform::reference::{self, ReferenceOptions};
use ecs_conform::report::text;
use ecs_conform::target::{Credentials, Target, TargetConfig};
use serde_json::json;

const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

#[test]
fn recorded_exchanges_and_reproductions_hold_no_secret() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(reference::start(ReferenceOptions::default()))
        .unwrap();
    let mut config = TargetConfig::new(server.endpoint(), "eu-west-1");
    config.credentials = Credentials {
        access_key_id: "AKIAEXAMPLEKEYID0000".into(),
        secret_access_key: SECRET.into(),
        session_token: Some(TOKEN.into()),
        source: "test".into(),
    };
    let target = Target::new(config).unwrap();
    let exchange = runtime
        .block_on(target.call("ListTasks", json!({"cluster": "nope"})))
        .unwrap();
    runtime.block_on(server.shutdown());

    let recorded = serde_json::to_string(&exchange).unwrap();
    let curl = text::curl(&exchange, "eu-west-1");
    let response = text::response(&exchange);
    for rendered in [&recorded, &curl, &response] {
        assert!(!rendered.contains(SECRET), "{rendered}");
        assert!(!rendered.contains(TOKEN), "{rendered}");
        assert!(!rendered.contains("Signature="), "{rendered}");
    }
    let auth = exchange
        .request
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        auth,
        Some("<redacted>"),
        "the request was signed, and the signature is not kept"
    );
    assert!(curl.contains("--aws-sigv4 'aws:amz:eu-west-1:ecs'"));
    // The reference read the region from the signature's credential scope.
    assert_eq!(exchange.response.status, 400);
    assert!(exchange
        .response
        .body_text
        .contains("ClusterNotFoundException"));
}

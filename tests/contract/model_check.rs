//! The model check (`.ci/model-check.py`): schemas/ against the AWS ECS service model.
//! The model file comes from the environment (`ECS_SERVICE_MODEL`, the path of botocore's
//! `data/ecs/2014-11-13/service-2.json[.gz]`; `.ci/run` sets it from the pinned
//! botocore). Without it the tests say loudly that they did not run; they never pass
//! silently in its place.

use std::io::Write;
use std::path::Path;
use std::process::Command;

const VAR: &str = "ECS_SERVICE_MODEL";

fn model() -> Option<String> {
    match std::env::var(VAR) {
        Ok(path) if !path.is_empty() => Some(path),
        _ => {
            // Straight to the process's stderr: the test harness captures eprintln! of a
            // passing test, and this must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n==================== MODEL CHECK SKIPPED ====================\n\
                 {VAR} is not set, so schemas/ were NOT compared with the AWS\n\
                 service model. .ci/run sets it; by hand:\n  \
                 {VAR}=$(python3 -c 'import botocore,os; print(os.path.join(os.path.dirname(botocore.__file__), \"data/ecs/2014-11-13/service-2.json.gz\"))') cargo test --test model_check\n\
                 =============================================================\n"
            );
            None
        }
    }
}

fn script(args: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new("python3")
        .arg(root.join(".ci/model-check.py"))
        .args(args)
        .output()
        .expect("python3 runs")
}

#[test]
fn schemas_agree_with_the_service_model_or_list_why_not() {
    let Some(model) = model() else { return };
    let out = script(&[&model]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("model check passed"), "{text}");
}

#[test]
fn the_check_fails_when_a_member_is_removed_or_an_enum_value_changed() {
    let Some(model) = model() else { return };
    let out = script(&[&model, "--self-test"]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("self-test (member removed): ok, the check fails"),
        "{text}"
    );
    assert!(
        text.contains("self-test (enum value changed): ok, the check fails"),
        "{text}"
    );
}

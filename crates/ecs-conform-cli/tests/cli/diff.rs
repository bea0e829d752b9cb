//! `ecs-conform diff` compares two live endpoints through the snapshot normalisers:
//! two clean reference targets say the same thing; a target sending string timestamps
//! differs exactly there.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::cli_support;
use cli_support::{bin, text};

/// A reference target in its own process; returns it and its endpoint.
fn serve(deviation: Option<&str>) -> (Child, String) {
    let mut cmd = bin();
    cmd.args(["serve", "--port", "0"]);
    if let Some(d) = deviation {
        cmd.args(["--deviation", d]);
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line.trim().rsplit(' ').next().unwrap().to_owned();
    (child, endpoint)
}

fn diff(a: &str, b: &str) -> (Option<i32>, String) {
    let o = bin()
        .args([
            "diff",
            "--endpoint",
            a,
            "--against",
            b,
            "stop-task/stop-code-user-initiated",
        ])
        .output()
        .unwrap();
    (o.status.code(), text(&o))
}

#[test]
fn clean_targets_agree_and_string_timestamps_show_as_differences() {
    let (mut clean, clean_endpoint) = serve(None);
    let (mut strings, strings_endpoint) = serve(Some("string-timestamps"));
    let same = diff("reference", &clean_endpoint);
    let differs = diff("reference", &strings_endpoint);
    let _ = (clean.kill(), strings.kill());
    let _ = (clean.wait(), strings.wait());

    assert_eq!(same.0, Some(0), "{}", same.1);
    assert!(same.1.contains("0 difference(s)"), "{}", same.1);
    assert_eq!(differs.0, Some(1), "{}", differs.1);
    assert!(differs.1.contains("<timestamp:number>"), "{}", differs.1);
    assert!(differs.1.contains("<timestamp:string>"), "{}", differs.1);
    assert!(
        differs.1.contains("/body/task/createdAt") || differs.1.contains("createdAt"),
        "{}",
        differs.1
    );
}

/// A diff that compared nothing is never green: a filter that selects no case exits 4,
/// and a side that gives no usable answer (here a closed port, for cases that need no
/// fixture, so nothing fails at setup) is a difference or an error, never "0 differences".
#[test]
fn a_diff_that_compares_nothing_is_not_green() {
    let o = bin()
        .args([
            "diff",
            "--endpoint",
            "reference",
            "--against",
            "reference",
            "no-such-case",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("no cases to run"), "{}", text(&o));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let o = bin()
        .args([
            "diff",
            "--endpoint",
            "reference",
            "--against",
            &format!("http://127.0.0.1:{port}"),
            "errors/list-tasks-unknown-cluster",
        ])
        .output()
        .unwrap();
    let out = text(&o);
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("0 difference(s)"), "{out}");
    assert!(
        out.contains("no usable answer") || out.contains("connect"),
        "{out}"
    );
}

/// The whole suite against two built-in reference targets: both sides get the same run
/// id (names such as `ecs-conform-<run id>` match) and the same normalisation, so
/// nothing differs, and the steps were really compared.
#[test]
fn the_reference_against_itself_shows_no_difference() {
    let o = bin()
        .args(["diff", "--against", "reference"])
        .env_remove("AWS_ENDPOINT_URL_ECS")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("ECS_CONFORM_RUN_ID")
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("ecs-conform diff: 0 difference(s) in 0 step(s); "),
        "{out}"
    );
    let compared: usize = out
        .split("step(s); ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of compared steps: {out}"));
    assert!(compared > 100, "{out}");
}

/// A reference that deviates (its own server here, with `wrong-stop-code`) shows the
/// difference where it deviates, whether its endpoint comes from `--endpoint`,
/// `AWS_ENDPOINT_URL_ECS` or a target file, as `run` finds it.
#[test]
fn a_deviating_reference_shows_the_difference_wherever_its_endpoint_comes_from() {
    let (_server, deviating) = cli_support::reference(vec!["wrong-stop-code".parse().unwrap()]);
    let dir = std::env::temp_dir().join(format!("ecs-conform-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("deviating.yaml"),
        format!("name: deviating\nendpoint: {}\n", deviating.endpoint),
    )
    .unwrap();
    let case = "stop-task/stop-code-user-initiated";
    let runs = [
        (
            "flag",
            vec!["--endpoint", deviating.endpoint.as_str()],
            None,
        ),
        ("environment", vec![], Some(deviating.endpoint.as_str())),
        (
            "target file",
            vec!["--target", "deviating", "--targets", dir.to_str().unwrap()],
            None,
        ),
    ];
    for (how, args, env) in runs {
        let mut cmd = bin();
        cmd.arg("diff")
            .args(&args)
            .args(["--against", "reference", case])
            .env_remove("AWS_ENDPOINT_URL_ECS")
            .env_remove("AWS_ENDPOINT_URL");
        if let Some(endpoint) = env {
            cmd.env("AWS_ENDPOINT_URL_ECS", endpoint);
        }
        let o = cmd.output().unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{how}: {out}");
        assert!(
            out.contains("stopCode: \"EssentialContainerExited\" → \"UserInitiated\""),
            "{how}: {out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! The plain signing path must give exactly what aws-sigv4 gives, and everything it
//! does not cover must go to aws-sigv4.

use super::*;
use std::time::{Duration, UNIX_EPOCH};

fn creds(token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        session_token: token.map(str::to_owned),
        source: "test".into(),
        expires: None,
    }
}

/// True when `sign_at` would take the plain path for this request.
fn takes_plain_path(signer: &Signer, url: &str, headers: &[(String, String)]) -> bool {
    let mut cache = signer.cache.lock().unwrap();
    plain_headers(headers) && cache.plain_url(url).is_some()
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn json_headers(op: &str) -> Vec<(String, String)> {
    headers(&[
        ("content-type", "application/x-amz-json-1.1"),
        (
            "x-amz-target",
            &format!("AmazonEC2ContainerServiceV20141113.{op}"),
        ),
    ])
}

/// 2024-02-29T23:59:58Z and a time on another day.
fn times() -> [SystemTime; 3] {
    [
        UNIX_EPOCH + Duration::from_secs(1_709_251_198),
        UNIX_EPOCH + Duration::from_secs(1_709_251_198 + 3),
        UNIX_EPOCH + Duration::from_secs(1_893_456_000),
    ]
}

#[test]
fn the_plain_path_signs_byte_for_byte_as_aws_sigv4() {
    let urls = [
        "http://127.0.0.1:5000/",
        "http://127.0.0.1:5000/v1/RunTask",
        "http://localhost:4566/",
        "https://ecs.eu-west-1.amazonaws.com/",
        "https://ecs.eu-west-1.amazonaws.com:8443/v1/DescribeTasks",
        "http://[::1]:8080/",
        "http://127.0.0.1:80/",
        "https://ecs.us-east-1.amazonaws.com:443/",
        "http://127.0.0.1:5000/prefix/v1/ListTasks",
        // Dot segments are resolved when the URL is parsed, as on the wire.
        "http://127.0.0.1:5000/a/../v1/RunTask",
    ];
    let payloads: [&[u8]; 3] = [
        b"{}",
        br#"{"cluster":"c","tasks":["arn:aws:ecs:us-east-1:123:task/c/abc"]}"#,
        "{\"startedBy\":\"caf\u{e9}\"}".as_bytes(),
    ];
    for token in [None, Some("FQoGZXIvYXdzEXAMPLETOKEN//+=")] {
        for region in ["us-east-1", "eu-west-1"] {
            let signer = Signer::new(creds(token), region);
            for url in urls {
                assert!(
                    takes_plain_path(&signer, url, &json_headers("RunTask")),
                    "{url} should take the plain path"
                );
                for (op, payload) in ["RunTask", "DescribeTasks", "ListTasks"]
                    .iter()
                    .zip(payloads)
                {
                    for time in times() {
                        let h = json_headers(op);
                        let plain = signer.sign_at(url, &h, payload, time).unwrap();
                        let reference = signer.sign_with_aws_sigv4(url, &h, payload, time).unwrap();
                        assert_eq!(plain, reference, "{url} {op} {region} {token:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_key_cache_follows_the_day() {
    let signer = Signer::new(creds(None), "us-east-1");
    let h = json_headers("ListTasks");
    let [day1, _, day2] = times();
    let url = "http://127.0.0.1:5000/";
    // Day 1, day 2, then day 1 again: each must match a fresh aws-sigv4 signature.
    for time in [day1, day2, day1] {
        assert_eq!(
            signer.sign_at(url, &h, b"{}", time).unwrap(),
            signer.sign_with_aws_sigv4(url, &h, b"{}", time).unwrap()
        );
    }
}

#[test]
fn unusual_requests_take_the_aws_sigv4_path_and_still_sign() {
    let signer = Signer::new(creds(None), "us-east-1");
    let json = json_headers("RunTask");
    let root = "http://127.0.0.1:5000/";
    assert!(takes_plain_path(&signer, root, &json));
    let unusual_urls = [
        "http://127.0.0.1:5000/?a=b",
        "http://user:pw@127.0.0.1:5000/",
        "http://127.0.0.1:5000/a//b",
        "http://127.0.0.1:5000/caf%C3%A9/",
        "http://127.0.0.1:5000/#frag",
    ];
    let unusual_headers = [
        headers(&[("Content-Type", "application/x-amz-json-1.1")]),
        headers(&[("x-amz-target", " padded ")]),
        headers(&[("x-amz-target", "two  spaces")]),
        headers(&[("user-agent", "ecs-conform")]),
        headers(&[("x-amz-target", "a"), ("x-amz-target", "b")]),
        headers(&[("x-custom", "caf\u{e9}")]),
    ];
    let time = times()[0];
    let cases = unusual_urls
        .iter()
        .map(|url| (*url, json.clone()))
        .chain(unusual_headers.into_iter().map(|h| (root, h)));
    for (url, h) in cases {
        assert!(
            !takes_plain_path(&signer, url, &h),
            "{url} {h:?} is not plain"
        );
        let signed = signer.sign_at(url, &h, b"{}", time).unwrap();
        assert!(signed.iter().any(|(k, v)| k == "authorization"
            && v.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/")));
    }
}

#[test]
fn the_date_is_written_as_sigv4_wants_it() {
    assert_eq!(amz_date_time(times()[0]), "20240229T235958Z");
    assert_eq!(amz_date_time(times()[1]), "20240301T000001Z");
}

#[test]
fn debug_output_shows_no_secret() {
    let signer = Signer::new(creds(Some("SECRET-TOKEN")), "us-east-1");
    let _ = signer.sign_at(
        "http://127.0.0.1:5000/",
        &json_headers("RunTask"),
        b"{}",
        times()[0],
    );
    let shown = format!("{signer:?}");
    assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
    assert!(!shown.contains("SECRET-TOKEN"), "{shown}");
    assert!(!shown.contains("AKIDEXAMPLE"), "{shown}");
}

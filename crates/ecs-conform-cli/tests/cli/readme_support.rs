//! Generated sections of the README: the text between `<!-- NAME:start -->` and
//! `<!-- NAME:end -->` must equal what a test computes; `ECS_CONFORM_UPDATE_README=1`
//! rewrites it instead of failing.

use std::path::Path;

/// Checks (or, when asked, rewrites) the README section `name` to hold `content`.
pub fn check_section(name: &str, content: &str, test: &str) {
    let path = Path::new(crate::cli_support::REPO).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        format!("<!-- {name}:start -->"),
        format!("<!-- {name}:end -->"),
    );
    let body = format!("{start}\n{content}{end}");
    let (Some(a), Some(b)) = (readme.find(&start), readme.find(&end)) else {
        panic!("README.md lacks the {start} … {end} markers");
    };
    let current = &readme[a..b + end.len()];
    if current != body {
        if updating() {
            std::fs::write(&path, readme.replace(current, &body)).unwrap();
        } else {
            panic!("README.md's {name} section is out of date; run ECS_CONFORM_UPDATE_README=1 cargo test -p ecs-conform-cli --test cli {test}\n{body}");
        }
    }
}

/// Whether this test run rewrites the README (`ECS_CONFORM_UPDATE_README` is set).
pub fn updating() -> bool {
    std::env::var_os("ECS_CONFORM_UPDATE_README").is_some()
}

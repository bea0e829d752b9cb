//! Relative `$ref`s between schema files, as paths relative to the schemas directory.

/// Resolves a relative `$ref` (no fragment) from the file `from` to a path relative to
/// the schemas directory: `resolve("shapes/Task.json", "../common/Timestamp.json")`.
pub(crate) fn resolve(from: &str, target: &str) -> String {
    let target = target.split('#').next().unwrap_or(target);
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

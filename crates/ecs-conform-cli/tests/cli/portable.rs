//! The binary on its own: copied away from the build, started in an empty folder, it
//! finds the suite built into it (written once to its cache folder); a user's cases
//! join the built-in suite (`--add-cases`) or replace it (`--cases`), and a user's
//! snapshots go to `./snapshots` of the working directory.

use crate::cli_support::{repo, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A user's case that uses the built-in fixtures and records a snapshot.
const MY_CASE: &str = r#"name: My own case, next to the built-in suite
cites: "my emulator's notes"
fixtures: [cluster, taskdef]
steps:
  - call: RunTask
    with:
      cluster: "${cluster}"
      taskDefinition: "${taskdef}"
      launchType: FARGATE
      networkConfiguration: { awsvpcConfiguration: { subnets: ["${subnet}"], securityGroups: ["${security_group}"], assignPublicIp: DISABLED } }
    save: { task: /tasks/0/taskArn }
  - call: StopTask
    snapshot: true
    with: { cluster: "${cluster}", task: "${task}", reason: mine }
    expect:
      body:
        /task/taskArn: "${task}"
"#;

/// A fresh folder holding `bin/ecs-conform` (a copy of the built binary), an empty
/// `work/` and `home/`.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root = std::env::temp_dir().join(format!(
            "ecs-conform-portable-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["bin", "work", "home"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::copy(
            env!("CARGO_BIN_EXE_ecs-conform"),
            root.join("bin/ecs-conform"),
        )
        .unwrap();
        Sandbox { root }
    }

    fn work(&self) -> PathBuf {
        self.root.join("work")
    }

    /// The copied binary in `work/`, with HOME in the sandbox and no suite settings
    /// from the environment.
    fn command(&self) -> Command {
        let mut command = Command::new(self.root.join("bin/ecs-conform"));
        command
            .current_dir(self.work())
            .env("HOME", self.root.join("home"))
            .env_remove("XDG_CACHE_HOME")
            .env_remove("CI")
            .env_remove("TF_BUILD")
            .env_remove("INSTA_UPDATE");
        for var in [
            "ECS_CONFORM_CASES",
            "ECS_CONFORM_SCHEMAS",
            "ECS_CONFORM_TARGETS",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_ECS",
        ] {
            command.env_remove(var);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// The cache folder the binary wrote (`~/.cache/ecs-conform/<version>-<hash>`).
    fn cache(&self) -> PathBuf {
        let parent = self.root.join("home/.cache/ecs-conform");
        let entries: Vec<PathBuf> = std::fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(entries.len(), 1, "{entries:?}");
        entries[0].clone()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Every file below `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_copied_binary_runs_the_built_in_suite_from_an_empty_folder() {
    let sandbox = Sandbox::new("empty");
    let o = sandbox.run(&["--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = sandbox.run(&["lint"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let cache = sandbox.cache();
    assert!(cache.starts_with(sandbox.root.join("home/.cache/ecs-conform")));
    assert!(
        out.contains(&format!("in {}", cache.join("cases").display()))
            && out.contains("3 target file(s)"),
        "{out}"
    );

    // With snapshots: compared with the built-in goldens (a golden missing here would
    // have been recorded into ./snapshots), nothing written anywhere.
    let o = sandbox.run(&["run", "stop-task/"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("ecs-conform: CONFORMANT"), "{out}");
    assert!(!out.contains(" 0 passed"), "{out}");
    let o = sandbox.run(&[
        "run",
        "--no-snapshots",
        "--target",
        "reference",
        "lifecycle/",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(files(&sandbox.work()), Vec::<PathBuf>::new());
    assert_eq!(
        files(&sandbox.root.join("bin")),
        vec![PathBuf::from("ecs-conform")]
    );
    let home: Vec<PathBuf> = files(&sandbox.root.join("home"));
    assert!(
        home.iter()
            .all(|f| f.starts_with(cache.strip_prefix(sandbox.root.join("home")).unwrap())),
        "{home:?}"
    );
    // The copy holds the shipped suite, byte for byte.
    for file in [
        "cases/fixtures.yaml",
        "schemas/operations.json",
        "targets/moto.yaml",
        "snapshots/normalisers.yaml",
    ] {
        assert_eq!(
            std::fs::read(cache.join(file)).unwrap(),
            std::fs::read(repo().join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_golden_in_the_working_folder_wins_over_the_built_in_one() {
    let sandbox = Sandbox::new("own-golden");
    let name = "stop-task__stop-code-user-initiated__step-4.snap";
    let golden = std::fs::read_to_string(repo().join("snapshots").join(name)).unwrap();
    assert!(golden.contains("UserInitiated"), "{golden}");
    std::fs::create_dir_all(sandbox.work().join("snapshots")).unwrap();
    std::fs::write(
        sandbox.work().join("snapshots").join(name),
        golden.replace("UserInitiated", "SomethingElse"),
    )
    .unwrap();
    let o = sandbox.run(&["run", "stop-task/stop-code-user-initiated"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("snapshot.mismatch"), "{out}");
    // The pending answer is beside the user's golden, never in the cache.
    assert!(sandbox
        .work()
        .join("snapshots")
        .join(format!("{name}.new"))
        .is_file());
    assert!(files(&sandbox.cache())
        .iter()
        .all(|f| !f.to_string_lossy().ends_with(".new")));
}

#[test]
fn added_cases_run_next_to_the_built_in_suite_and_their_snapshots_go_to_the_working_folder() {
    let sandbox = Sandbox::new("add");
    let mine = sandbox.root.join("mine");
    std::fs::create_dir_all(mine.join("emulator")).unwrap();
    std::fs::write(mine.join("emulator/my-stop.yaml"), MY_CASE).unwrap();
    let mine_arg = mine.to_string_lossy().into_owned();

    let o = sandbox.run(&["run", "--add-cases", &mine_arg, "--list"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.lines().any(|l| l == "emulator/my-stop"), "{out}");
    assert!(
        out.lines()
            .any(|l| l == "stop-task/stop-code-user-initiated"),
        "{out}"
    );

    let o = sandbox.run(&["lint", "--add-cases", &mine_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = sandbox.run(&["run", "--add-cases", &mine_arg, "emulator/"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("emulator/my-stop ... pass"), "{out}");
    assert!(out.contains("1 passed"), "{out}");
    let snap = "emulator__my-stop__step-2.snap";
    assert_eq!(
        files(&sandbox.work()),
        vec![PathBuf::from("snapshots").join(snap)]
    );
    assert!(!sandbox.cache().join("snapshots").join(snap).exists());
}

#[test]
fn an_added_case_with_an_id_of_the_suite_is_an_error_naming_both_files() {
    let sandbox = Sandbox::new("collision");
    let mine = sandbox.root.join("mine");
    std::fs::create_dir_all(mine.join("stop-task")).unwrap();
    let mine_file = mine.join("stop-task/stop-code-user-initiated.yaml");
    std::fs::write(
        &mine_file,
        MY_CASE.replace("My own case", "Another name, same id"),
    )
    .unwrap();
    for command in ["lint", "run"] {
        let o = sandbox
            .command()
            .args([command, "--add-cases"])
            .arg(&mine)
            .output()
            .unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {out}");
        assert!(
            out.contains(&format!(
                "{}:1:1: the case id `stop-task/stop-code-user-initiated` is also the id of {}",
                mine_file.display(),
                sandbox
                    .cache()
                    .join("cases/stop-task/stop-code-user-initiated.yaml")
                    .display()
            )),
            "{command}: {out}"
        );
    }
    // A fixtures file in an added folder would be ignored silently: it is an error.
    std::fs::remove_file(&mine_file).unwrap();
    std::fs::write(mine.join("fixtures.yaml"), "fixtures: {}\n").unwrap();
    let o = sandbox
        .command()
        .args(["lint", "--add-cases"])
        .arg(&mine)
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("a folder of added cases holds case files only"),
        "{out}"
    );
}

#[test]
fn cases_alone_run_only_the_users_cases_with_the_built_in_fixtures() {
    let sandbox = Sandbox::new("only");
    let mine = sandbox.root.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("my-stop.yaml"), MY_CASE).unwrap();
    let mine_arg = mine.to_string_lossy().into_owned();

    // Only this case: no built-in case and no generated one (the folder has no
    // generate.yaml), but the built-in fixtures (cluster, taskdef) serve it.
    let o = sandbox.run(&["run", "--cases", &mine_arg, "--list"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(out.trim(), "my-stop", "{out}");
    let o = sandbox.run(&["run", "--no-snapshots", "--cases", &mine_arg]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("my-stop ... pass"), "{out}");

    // A fixtures file of its own replaces the built-in one.
    std::fs::write(
        mine.join("fixtures.yaml"),
        "vars: { subnet: subnet-0, security_group: sg-0 }\nfixtures: {}\n",
    )
    .unwrap();
    let o = sandbox.run(&["lint", "--cases", &mine_arg]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("unknown fixture `cluster`"), "{out}");
}

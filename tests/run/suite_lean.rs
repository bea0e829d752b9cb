//! A lean suite keeps only what selection needs and plans each case from its file when
//! it runs: the plan equals the fully loaded case, and a file broken after the check
//! is reported, not run.

use ecs_conform::contract::Contract;
use ecs_conform::suite::Suite;
use std::path::Path;

#[test]
fn lean_cases_plan_to_the_fully_loaded_case_and_report_changed_files() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = Contract::load(&repo.join("schemas")).unwrap();
    let ops = contract.operations();
    let full = Suite::load(&repo.join("cases"), &ops).unwrap();
    let lean = Suite::load_lean(&repo.join("cases"), &ops).unwrap();
    assert_eq!(full.cases.len(), lean.cases.len());
    for (f, l) in full.cases.iter().zip(&lean.cases) {
        assert!(l.lean && l.steps.is_empty() && !f.lean);
        assert_eq!(
            (&f.id, &f.name, &f.tags, &f.fixtures),
            (&l.id, &l.name, &l.tags, &l.fixtures)
        );
        let planned = lean.plan(l).unwrap();
        assert_eq!(planned.steps.len(), f.steps.len(), "{}", f.id);
        assert_eq!(planned.teardown.len(), f.teardown.len(), "{}", f.id);
        assert_eq!(
            format!("{:?}", planned.steps),
            format!("{:?}", f.steps),
            "{}",
            f.id
        );
    }

    let dir = std::env::temp_dir().join(format!("ecs-conform-lean-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a.yaml"),
        "name: a\ncites: x\nsteps:\n  - call: ListTasks\n",
    )
    .unwrap();
    let suite = Suite::load_lean(&dir, &ops).unwrap();
    std::fs::write(
        dir.join("a.yaml"),
        "name: a\ncites: x\nsteps:\n  - call: ListTsks\n",
    )
    .unwrap();
    let err = suite.plan(&suite.cases[0]).unwrap_err().to_string();
    assert!(
        err.contains("a.yaml:4:11: unknown operation `ListTsks`"),
        "{err}"
    );
}

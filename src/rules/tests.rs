use super::*;

#[test]
fn ids_are_unique_and_sources_filled() {
    let mut ids: Vec<_> = all().iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all().len());
    assert!(all()
        .iter()
        .all(|r| !r.source.trim().is_empty() && !r.summary.trim().is_empty()));
}

#[test]
fn every_variant_is_its_own_table_entry() {
    assert_eq!(Rule::ALL.len(), all().len());
    for (rule, info) in Rule::ALL.iter().zip(all()) {
        assert_eq!(*rule, info.rule);
        assert_eq!(rule.info(), info);
        assert_eq!(Rule::from_id(info.id), Some(*rule));
        assert_eq!(info.id.parse::<Rule>(), Ok(*rule));
    }
}

#[test]
fn an_id_not_in_the_table_is_no_rule() {
    assert_eq!(Rule::from_id("expect.bdy"), None);
    assert_eq!(Rule::from_id("expect."), None);
    assert_eq!(Rule::from_id(""), None);
    assert_eq!(
        "until".parse::<Rule>(),
        Err(UnknownRule("until".to_owned()))
    );
}

#[test]
fn a_rule_is_written_as_its_id() {
    assert_eq!(
        serde_json::to_string(&Rule::SchemaDriftField).unwrap(),
        "\"schema.drift.field\""
    );
    assert_eq!(Rule::SnapshotWrite.to_string(), "snapshot.write");
    assert_eq!(
        serde_json::from_str::<Rule>("\"until.timeout\"").unwrap(),
        Rule::UntilTimeout
    );
    let unknown = serde_json::from_str::<Rule>("\"until.timeot\"").unwrap_err();
    assert!(
        unknown.to_string().contains("no rule `until.timeot`"),
        "{unknown}"
    );
    assert!(Rule::UntilTimeout == "until.timeout");
    assert!("until.timeout" == Rule::UntilTimeout);
    assert!(Rule::UntilTimeout != "until");
}

#[test]
fn severities_and_stages_come_from_the_table() {
    assert_eq!(Rule::WireRequestId.severity(), Severity::Warn);
    assert_eq!(Rule::SchemaDriftEnum.severity(), Severity::Drift);
    assert_eq!(Rule::WireJson.severity(), Severity::Fail);
    assert_eq!(Rule::SchemaProseLimit.severity(), Severity::Warn);
    assert_eq!(Rule::SnapshotDrift.severity(), Severity::Drift);
    assert_eq!(Rule::SnapshotProvenance.severity(), Severity::Warn);
    assert_eq!(Rule::ExpectBody.stage(), Stage::Expectation);
    assert_eq!(Rule::PaginateEndless.stage(), Stage::Runner);
    assert_eq!(Rule::WireBodyTooLarge.stage(), Stage::Target);
    assert_eq!(Rule::WireJson.stage(), Stage::Contract);
    for rule in [
        Rule::SnapshotName,
        Rule::SnapshotUnreadable,
        Rule::SnapshotWrite,
    ] {
        assert_eq!(rule.stage(), Stage::Snapshot);
        assert_eq!(rule.severity(), Severity::Fail);
    }
}

#[test]
fn a_finding_is_read_back_by_its_rule_id_and_refused_with_an_unknown_one() {
    let finding = crate::finding::Finding::new(Rule::SnapshotUnreadable, "")
        .expected("a snapshot")
        .message("cannot parse");
    let json = serde_json::to_value(&finding).unwrap();
    assert_eq!(json["rule"], "snapshot.unreadable");
    assert_eq!(json["severity"], "fail");
    let back: crate::finding::Finding = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, finding);
    let mut unknown = json;
    unknown["rule"] = "snapshot.unreadble".into();
    let err = serde_json::from_value::<crate::finding::Finding>(unknown).unwrap_err();
    assert!(
        err.to_string().contains("no rule `snapshot.unreadble`"),
        "{err}"
    );
}

//! Query descriptions with unknown names, bad members or impossible filters: each gets an
//! error that says what is wrong, never a panic and never an empty answer that looks like
//! "no facts". A filter that is valid but matches nothing still answers, with no rows.

mod common;

use flowcube_core::Cube;
use flowcube_iot::notebook;
use flowcube_iot::spec::QuerySpec;
use flowcube_iot::Error;

use common::{cells, folder, room};

/// Five facts over two days (4 and 5) and two rooms.
fn cube() -> Cube {
    let dir = folder(&[
        (
            "bullpen.csv",
            room(&[
                "b1,2022-04-04 08:00:00,00:17:88:CR:PU:Y7,10",
                "b2,2022-04-04 19:15:30.25,00:17:88:4I:BK:K5,20",
                "b3,2022-04-05 08:30:00,00:17:88:4I:BK:K5,30",
            ]),
        ),
        (
            "lab.csv",
            room(&[
                "l1,2022-04-04 08:10:00,00:17:88:CR:PU:Y7,1",
                "l2,2022-04-05 19:00:00,aa,2",
            ]),
        ),
    ]);
    notebook::load_cube(dir.path()).unwrap()
}

fn run(cube: &Cube, json: &str) -> flowcube_iot::Result<arrow::array::RecordBatch> {
    let spec: QuerySpec = serde_json::from_str(json).unwrap_or_else(|err| panic!("{json}: {err}"));
    spec.run(cube)
}

/// The message of the error that `json` gets.
fn error(cube: &Cube, json: &str) -> Error {
    match run(cube, json) {
        Ok(batch) => panic!("{json} answered {:?}", cells(&batch)),
        Err(err) => err,
    }
}

/// A description counting facts by Room, with `filter`.
fn by_room(filter: &str) -> String {
    format!(
        r#"{{"measures": ["contributors.COUNT"], "levels": [["NetworkFlows", "Room", "Room"]],
            "filter": [{filter}]}}"#
    )
}

#[test]
fn unknown_measure_lists_the_known_ones() {
    let err = error(
        &cube(),
        r#"{"measures": ["EventDuration.MAX"], "levels": [["NetworkFlows", "Room", "Room"]]}"#,
    );
    let text = err.to_string();
    assert!(matches!(err, Error::Cube(_)), "{err:?}");
    assert!(
        text.contains("unknown measure \"EventDuration.MAX\""),
        "{text}"
    );
    assert!(text.contains("\"EventDuration.SUM\""), "{text}");
}

#[test]
fn unknown_level_and_hierarchy_list_the_known_ones() {
    let cube = cube();
    for json in [
        r#"{"measures": ["contributors.COUNT"], "levels": [["NetworkFlows", "Room", "Floor"]]}"#,
        r#"{"measures": ["contributors.COUNT"], "levels": [["NetworkFlows", "Building", "Room"]]}"#,
        r#"{"measures": ["contributors.COUNT"], "levels": [["Flows", "Room", "Room"]]}"#,
        r#"{"measures": ["contributors.COUNT"], "levels": [[]]}"#,
        r#"{"measures": ["contributors.COUNT"], "levels": [["a", "b", "c", "d"]]}"#,
    ] {
        let text = error(&cube, json).to_string();
        assert!(text.contains("unknown level"), "{json}: {text}");
        assert!(text.contains("NetworkFlows/DateTime/Day"), "{json}: {text}");
    }
    let text = error(
        &cube,
        &by_room(r#"["level_eq", ["NetworkFlows", "Room", "Floor"], "x"]"#),
    )
    .to_string();
    assert!(text.contains("unknown level"), "{text}");
    let text = error(&cube, &by_room(r#"["hier_isin", "Building", [["x"]]]"#)).to_string();
    assert!(text.contains("unknown hierarchy \"Building\""), "{text}");
    assert!(text.contains("NetworkFlows/DateTime"), "{text}");
}

#[test]
fn a_bare_hour_is_ambiguous_in_levels_and_filters() {
    let cube = cube();
    for json in [
        r#"{"measures": ["contributors.COUNT"], "levels": [["Hour"]]}"#,
        &by_room(r#"["level_isin", "Hour", ["08"]]"#),
        &by_room(r#"["level_not_in", ["Hour"], ["08"]]"#),
        &by_room(r#"["member_measure_gt", "Hour", "contributors.COUNT", 1]"#),
    ] {
        let text = error(&cube, json).to_string();
        assert!(text.contains("is ambiguous"), "{json}: {text}");
        assert!(
            text.contains("NetworkFlows/DateTime/Hour"),
            "{json}: {text}"
        );
        assert!(text.contains("NetworkFlows/Hour/Hour"), "{json}: {text}");
    }
}

#[test]
fn a_filter_of_unknown_kind_is_an_error() {
    let err = error(
        &cube(),
        &by_room(r#"["level_like", ["NetworkFlows", "Room", "Room"], "bull%"]"#),
    );
    assert!(matches!(err, Error::Spec(_)), "{err:?}");
    assert!(
        err.to_string().contains("unknown kind \"level_like\""),
        "{err}"
    );
}

#[test]
fn filters_of_the_wrong_shape_are_errors() {
    let cube = cube();
    let room = r#"["NetworkFlows", "Room", "Room"]"#;
    for (filter, why) in [
        (r#"{"level_eq": "bullpen"}"#.to_owned(), "not a list"),
        ("[]".to_owned(), "no kind"),
        ("[42]".to_owned(), "no kind"),
        (r#"["level_eq"]"#.to_owned(), "missing argument"),
        (format!(r#"["level_eq", {room}]"#), "missing argument"),
        (
            r#"["level_eq", 7, "bullpen"]"#.to_owned(),
            "a level is a list of names",
        ),
        (
            r#"["level_eq", ["Room", 7], "x"]"#.to_owned(),
            "a level is a list of names",
        ),
        (
            format!(r#"["level_eq", {room}, null]"#),
            "a member is a string or a number",
        ),
        (
            format!(r#"["level_eq", {room}, ["bullpen"]]"#),
            "a member is a string or a number",
        ),
        (
            format!(r#"["level_isin", {room}, "bullpen"]"#),
            "members are a list",
        ),
        (
            format!(r#"["level_not_in", {room}, [{{}}]]"#),
            "a member is a string or a number",
        ),
        (
            r#"["hier_isin", "DateTime", [4, "08"]]"#.to_owned(),
            "a path is a list of members",
        ),
        (
            r#"["hier_isin", "DateTime", "4/08"]"#.to_owned(),
            "paths are a list",
        ),
        (
            format!(r##"["member_measure_gt", {room}, "#LocationsFound", "1"]"##),
            "a bound is a number",
        ),
        (
            format!(r#"["member_measure_gt", {room}, 7, 1]"#),
            "a measure is a name",
        ),
        (
            r#"["measure_gt", ["contributors.COUNT"], 1]"#.to_owned(),
            "a measure is a name",
        ),
    ] {
        let err = error(&cube, &by_room(&filter));
        assert!(matches!(err, Error::Spec(_)), "{filter}: {err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("invalid query description: filter "),
            "{filter}: {text}"
        );
        assert!(text.ends_with(why), "{filter}: {text}");
    }
}

#[test]
fn descriptions_of_the_wrong_shape_do_not_parse() {
    for json in [
        "null",
        r#"{"measures": "contributors.COUNT"}"#,
        r#"{"measures": [1]}"#,
        r#"{"levels": ["NetworkFlows/Room/Room"]}"#,
        r#"{"levels": [["NetworkFlows", 1]]}"#,
        r#"{"include_totals": "yes"}"#,
        r#"{"filter": {"level_eq": "x"}}"#,
        r#"{"drillthrough": {"day": "four", "hour": "19"}}"#,
        r#"{"drillthrough": {"day": 4, "hour": 19}}"#,
        r#"{"drillthrough": {"day": 4}}"#,
        r#"{"drillthrough": {"day": 4, "hour": "19", "minute": "00"}}"#,
        // A misspelled key must not run the query without what it meant.
        r#"{"measures": ["contributors.COUNT"], "filters": [["level_eq", "Room", "lab"]]}"#,
        r#"{"measure": ["contributors.COUNT"]}"#,
    ] {
        let parsed = serde_json::from_str::<QuerySpec>(json);
        assert!(parsed.is_err(), "{json} parsed as {parsed:?}");
    }
}

#[test]
fn members_of_the_wrong_type_are_errors() {
    let cube = cube();
    for (filter, message) in [
        (
            r#"["level_eq", ["NetworkFlows", "DateTime", "Day"], "four"]"#,
            r#"level NetworkFlows/DateTime/Day has integer members, not "four""#,
        ),
        (
            r#"["level_isin", ["NetworkFlows", "DateTime", "Day"], [4, 4.5]]"#,
            "level NetworkFlows/DateTime/Day has integer members, not 4.5",
        ),
        (
            r#"["level_not_in", ["NetworkFlows", "Hour", "Hour"], [8]]"#,
            "level NetworkFlows/Hour/Hour has text members, not 8",
        ),
        (
            r#"["level_eq", ["NetworkFlows", "Room", "Room"], true]"#,
            "level NetworkFlows/Room/Room has text members, not true",
        ),
        (
            r#"["hier_isin", "DateTime", [[4, "08"], ["four", "08"]]]"#,
            r#"level NetworkFlows/DateTime/Day has integer members, not "four""#,
        ),
        (
            r#"["hier_isin", "NetworkFlows/DateTime", [[4, 8]]]"#,
            "level NetworkFlows/DateTime/Hour has text members, not 8",
        ),
        (
            r#"["level_eq", ["NetworkFlows", "EventTime", "EventTime"], "2022-04-31 08:00:00"]"#,
            r#"level NetworkFlows/EventTime/EventTime has timestamp (YYYY-MM-DD HH:MM:SS[.f]) members, not "2022-04-31 08:00:00""#,
        ),
    ] {
        let err = error(&cube, &by_room(filter));
        assert!(matches!(err, Error::Spec(_)), "{filter}: {err:?}");
        let text = err.to_string();
        assert!(text.ends_with(message), "{filter}: {text}");
        let compact = serde_json::from_str::<serde_json::Value>(filter)
            .unwrap()
            .to_string();
        assert!(text.contains(&compact), "the filter is quoted: {text}");
    }
}

#[test]
fn members_written_as_their_level_shows_them_match() {
    let cube = cube();
    let count = |filter: &str| cells(&run(&cube, &by_room(filter)).unwrap());
    let day_4 = vec![
        vec!["bullpen".to_owned(), "2".to_owned()],
        vec!["lab".to_owned(), "1".to_owned()],
    ];
    // An integer level takes a number or a string of one.
    assert_eq!(
        count(r#"["level_eq", ["NetworkFlows", "DateTime", "Day"], 4]"#),
        day_4
    );
    assert_eq!(
        count(r#"["level_eq", ["NetworkFlows", "DateTime", "Day"], "4"]"#),
        day_4
    );
    assert_eq!(
        count(r#"["level_eq", ["NetworkFlows", "DateTime", "Day"], 4.0]"#),
        day_4
    );
    assert_eq!(count(r#"["hier_isin", "DateTime", [["4"]]]"#), day_4);
    // A timestamp level takes the written form, fraction included.
    assert_eq!(
        count(
            r#"["level_eq", ["NetworkFlows", "EventTime", "EventTime"], "2022-04-04 19:15:30.25"]"#
        ),
        [["bullpen", "1"]]
    );
    assert_eq!(
        count(
            r#"["level_isin", ["NetworkFlows", "EventTime", "EventTime"], ["2022-04-04T08:10:00"]]"#
        ),
        [["lab", "1"]]
    );
}

#[test]
fn a_path_longer_than_its_hierarchy_is_an_error() {
    let err = error(
        &cube(),
        &by_room(r#"["hier_isin", "DateTime", [[4, "08", "00"]]]"#),
    );
    assert!(matches!(err, Error::Cube(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("a path of 3 members on hierarchy \"DateTime\", which has 2 levels"),
        "{text}"
    );
}

#[test]
fn valid_filters_that_match_nothing_answer_with_no_rows() {
    let cube = cube();
    for filter in [
        r#"["level_eq", ["NetworkFlows", "DateTime", "Day"], 31]"#,
        r#"["level_isin", ["NetworkFlows", "Room", "Room"], []]"#,
        r#"["level_eq", ["NetworkFlows", "Room", "Room"], "kitchen"]"#,
        r#"["hier_isin", "DateTime", [[4, "25"]]]"#,
        r##"["member_measure_gt", ["NetworkFlows", "MacAddress", "MacAddress"], "#LocationsFound", 2]"##,
        r#"["measure_gt", "contributors.COUNT", 1e308]"#,
    ] {
        let batch = run(&cube, &by_room(filter)).unwrap_or_else(|err| panic!("{filter}: {err}"));
        assert_eq!(batch.num_rows(), 0, "{filter}");
        assert_eq!(batch.num_columns(), 2, "{filter}");
    }
}

#[test]
fn a_drill_through_with_no_match_is_empty_not_an_error() {
    let cube = cube();
    for json in [
        r#"{"drillthrough": {"day": 31, "hour": "08"}}"#,
        r#"{"drillthrough": {"day": 4, "hour": "25"}}"#,
        r#"{"drillthrough": {"day": 4, "hour": "8"}}"#,
        r#"{"drillthrough": {"day": -9223372036854775808, "hour": ""}}"#,
        r#"{"drillthrough": {"day": 4, "hour": "08"}, "filter": [["level_eq", "Room", "kitchen"]]}"#,
    ] {
        let batch = run(&cube, json).unwrap_or_else(|err| panic!("{json}: {err}"));
        assert_eq!(batch.num_rows(), 0, "{json}");
        let columns: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(
            columns,
            ["Room", "FlowId", "EventTime", "MacAddress", "EventDuration"],
            "{json}"
        );
    }
    // A drill-through's filters are checked like a query's.
    let err = error(
        &cube,
        r#"{"drillthrough": {"day": 4, "hour": "08"}, "filter": [["level_eq", ["NetworkFlows", "DateTime", "Day"], "four"]]}"#,
    );
    assert!(matches!(err, Error::Spec(_)), "{err:?}");
    // And one that matches shows the facts as written.
    let batch = run(&cube, r#"{"drillthrough": {"day": 4, "hour": "19"}}"#).unwrap();
    assert_eq!(
        cells(&batch),
        [[
            "bullpen",
            "b2",
            "2022-04-04 19:15:30.250",
            "00:17:88:4I:BK:K5",
            "20"
        ]]
    );
}

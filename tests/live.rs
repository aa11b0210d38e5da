//! Appends while queries run: one writer appends batches to a cube while reader threads
//! query clones of the same handle. Every answer a reader gets must be the answer of one
//! committed state (the cube after some prefix of the appends), never a mix, and a reader
//! never sees the cube go back to an earlier state. A failed append changes nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use flowcube::{Cube, DrillThrough, Measure, Query, Table, TableOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROOMS: [&str; 4] = ["bullpen", "conference1", "conference2", "lab"];
const BATCHES: usize = 24;
const READERS: usize = 3;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("Room", DataType::Utf8, false),
        Field::new("FlowId", DataType::Utf8, false),
        Field::new(
            "EventTime",
            DataType::Timestamp(TimeUnit::Nanosecond, None),
            false,
        ),
        Field::new("Bytes", DataType::Int64, true),
    ]))
}

fn batch(rooms: &[&str], flows: &[String], bytes: &[Option<i64>]) -> RecordBatch {
    let hour = 3_600_000_000_000i64;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(rooms.to_vec())),
        Arc::new(StringArray::from_iter_values(flows)),
        Arc::new(TimestampNanosecondArray::from_iter_values(
            (0..rooms.len() as i64).map(|i| (i % 24) * hour),
        )),
        Arc::new(Int64Array::from(bytes.to_vec())),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

/// Seeded batches whose flow ids repeat across batches, so that keys replace rows.
fn batches(seed: u64) -> Vec<RecordBatch> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..BATCHES)
        .map(|_| {
            let rows = rng.gen_range(1..30);
            let rooms: Vec<&str> = (0..rows)
                .map(|_| ROOMS[rng.gen_range(0..ROOMS.len())])
                .collect();
            let flows: Vec<String> = (0..rows)
                .map(|_| format!("f{}", rng.gen_range(0..60)))
                .collect();
            let bytes: Vec<Option<i64>> = (0..rows)
                .map(|_| rng.gen_bool(0.9).then(|| rng.gen_range(0..10_000)))
                .collect();
            batch(&rooms, &flows, &bytes)
        })
        .collect()
}

/// A batch that is fine on its own, with a room no committed state has.
fn ghost_batch() -> RecordBatch {
    batch(&["ghost"], &["f1".to_owned()], &[Some(1_000_000)])
}

/// A batch without the `Bytes` column.
fn batch_missing_a_column() -> RecordBatch {
    RecordBatch::try_from_iter([
        (
            "Room",
            Arc::new(StringArray::from(vec!["ghost"])) as ArrayRef,
        ),
        (
            "FlowId",
            Arc::new(StringArray::from(vec!["f2"])) as ArrayRef,
        ),
        (
            "EventTime",
            Arc::new(TimestampNanosecondArray::from(vec![0])) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn empty_cube(options: TableOptions) -> Cube {
    let table = Table::try_new(&schema(), options).unwrap();
    let cube = Cube::from_table(table);
    cube.create_date_hierarchy("Hour", "EventTime", &[("Hour", "HH")])
        .unwrap();
    cube.add_measure("Flows", Measure::distinct_count("FlowId"))
        .unwrap();
    cube
}

/// What a reader checks: the grand total, an answer by level, and the facts.
#[derive(Debug, PartialEq)]
struct Answers {
    total: RecordBatch,
    by_level: RecordBatch,
    facts: usize,
}

fn answers(cube: &Cube) -> Answers {
    let total = Query::new()
        .measures(["contributors.COUNT", "Bytes.SUM"])
        .execute(cube)
        .unwrap();
    let by_level = Query::new()
        .measures(["contributors.COUNT", "Bytes.SUM", "Flows"])
        .levels(["Room", "Hour"])
        .with_totals()
        .execute(cube)
        .unwrap();
    let facts = DrillThrough::new()
        .columns(["FlowId"])
        .execute(cube)
        .unwrap()
        .num_rows();
    Answers {
        total,
        by_level,
        facts,
    }
}

/// The answers after each prefix of `batches`, on a single-threaded cube.
fn committed_states(options: &TableOptions, batches: &[RecordBatch]) -> Vec<Answers> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let cube = empty_cube(options.clone()).with_thread_pool(Arc::new(pool));
    let mut states = vec![answers(&cube)];
    for batch in batches {
        cube.append(std::slice::from_ref(batch)).unwrap();
        states.push(answers(&cube));
    }
    states
}

/// The committed states that `seen` can be: indices whose answer part matches.
fn matching<T: PartialEq>(states: &[Answers], part: fn(&Answers) -> &T, seen: &T) -> Vec<usize> {
    (0..states.len())
        .filter(|&i| part(&states[i]) == seen)
        .collect()
}

fn run_live(options: TableOptions, seed: u64) {
    let batches = batches(seed);
    let states = Arc::new(committed_states(&options, &batches));
    let cube = empty_cube(options);
    let done = Arc::new(AtomicBool::new(false));

    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let cube = cube.clone();
            let states = Arc::clone(&states);
            let done = Arc::clone(&done);
            thread::spawn(move || {
                let mut earliest = 0;
                let mut reads = 0;
                loop {
                    // Read the flag first, so that one full round runs after the last append.
                    let finished = done.load(Ordering::Acquire);
                    let seen = answers(&cube);
                    reads += 1;

                    let by_level = matching(&states, |a| &a.by_level, &seen.by_level);
                    assert!(
                        !by_level.is_empty(),
                        "an answer by level that no committed state gives:\n{:?}",
                        seen.by_level
                    );
                    let total = matching(&states, |a| &a.total, &seen.total);
                    assert!(!total.is_empty(), "a grand total of no committed state");
                    let facts = matching(&states, |a| &a.facts, &seen.facts);
                    assert!(
                        !facts.is_empty(),
                        "{} facts: no committed state",
                        seen.facts
                    );

                    // Each query sees a state no older than the one the last query saw.
                    for found in [&by_level, &total, &facts] {
                        let newest = *found.last().unwrap();
                        assert!(newest >= earliest, "went back from state {earliest}");
                    }
                    earliest = by_level[0];
                    if finished {
                        break reads;
                    }
                }
            })
        })
        .collect();

    for (i, batch) in batches.iter().enumerate() {
        cube.append(std::slice::from_ref(batch)).unwrap();
        if i % 4 == 1 {
            // Good rows then a bad batch in one call: the call fails as a whole.
            assert!(cube
                .append(&[ghost_batch(), batch_missing_a_column()])
                .is_err());
        }
        thread::sleep(Duration::from_millis(2));
    }
    done.store(true, Ordering::Release);

    for reader in readers {
        let reads = reader.join().expect("a reader failed");
        assert!(reads > 0);
    }
    assert_eq!(&answers(&cube), states.last().unwrap());
}

#[test]
fn readers_see_only_committed_states_without_keys() {
    run_live(TableOptions::new("Flows").with_partition_rows(16), 7);
}

#[test]
fn readers_see_only_committed_states_with_keys() {
    let options = TableOptions::new("Flows")
        .with_partition_rows(16)
        .with_keys(["FlowId"]);
    run_live(options, 11);
}

#[test]
fn a_failed_append_changes_no_answer() {
    for keys in [vec![], vec!["FlowId"]] {
        let options = TableOptions::new("Flows")
            .with_partition_rows(8)
            .with_keys(keys);
        let cube = empty_cube(options);
        for batch in &batches(3)[..5] {
            cube.append(std::slice::from_ref(batch)).unwrap();
        }
        let before = answers(&cube);
        let rows = cube.num_rows();
        let all_facts = DrillThrough::new().execute(&cube).unwrap();

        // The ghost batch would add a room and, with keys, replace flow f1.
        let err = cube
            .append(&[ghost_batch(), batch_missing_a_column()])
            .unwrap_err();
        assert!(err.to_string().contains("Bytes"), "{err}");

        assert_eq!(answers(&cube), before);
        assert_eq!(cube.num_rows(), rows);
        assert_eq!(DrillThrough::new().execute(&cube).unwrap(), all_facts);
        let rooms = Query::new()
            .measures(["contributors.COUNT"])
            .levels(["Room"])
            .execute(&cube)
            .unwrap();
        assert!(rooms.num_rows() <= ROOMS.len());
    }
}

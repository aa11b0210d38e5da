//! From a Parquet file to a cube with a three-level hierarchy, Site > Floor > Room.
//!
//! Writes a small seeded table of network flows (site, floor, room, device, bytes) to a
//! Parquet file in a temporary folder, reads the file back into a cube, and prints the
//! flows, bytes and distinct devices of every room with the floor, site and grand totals,
//! then a running total of bytes along the rooms of each floor and the bytes of the
//! Paris site alone (a filtered measure).
//!
//! ```sh
//! cargo run --example parquet_three_level
//! ```

use std::error::Error;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::util::pretty::pretty_format_batches;
use flowcube::{Cube, Measure, Query, Table, TableOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every room as (site, floor, room). Room names repeat across floors and sites: a room
/// is known by its path.
const ROOMS: [(&str, &str, &str); 7] = [
    ("Lyon", "0", "lobby"),
    ("Lyon", "0", "cafeteria"),
    ("Lyon", "1", "open space"),
    ("Lyon", "1", "boardroom"),
    ("Paris", "3", "open space"),
    ("Paris", "3", "lab"),
    ("Paris", "3", "focus"),
];

/// `rows` seeded flows: a room picked among all of them, a device, bytes sent. Devices 0 to
/// 7 work in Lyon and 5 to 11 in Paris, so 5, 6 and 7 travel: the distinct devices of two
/// sites add up to more than those of the company.
fn flows(rows: usize, seed: u64) -> Result<RecordBatch, Box<dyn Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut sites, mut floors, mut names, mut devices, mut bytes) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..rows {
        let (site, floor, room) = ROOMS[rng.gen_range(0..ROOMS.len())];
        sites.push(site);
        floors.push(floor);
        names.push(room);
        let home = if site == "Lyon" { 0..8 } else { 5..12 };
        devices.push(format!("device-{:02}", rng.gen_range(home)));
        bytes.push(rng.gen_range(100..50_000i64));
    }
    Ok(RecordBatch::try_from_iter([
        ("Site", Arc::new(StringArray::from(sites)) as ArrayRef),
        ("Floor", Arc::new(StringArray::from(floors)) as ArrayRef),
        ("Room", Arc::new(StringArray::from(names)) as ArrayRef),
        ("Device", Arc::new(StringArray::from(devices)) as ArrayRef),
        ("Bytes", Arc::new(Int64Array::from(bytes)) as ArrayRef),
    ])?)
}

fn main() -> Result<(), Box<dyn Error>> {
    // Write the flows to a Parquet file.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("flows.parquet");
    let table = Table::try_from_batches(&[flows(60, 42)?], TableOptions::new("Office"))?;
    table.write_parquet(&path)?;
    println!("wrote {} flows to {}", table.num_rows(), path.display());

    // Build the cube from the file, with the three-level hierarchy.
    let cube = Cube::from_table(Table::read_parquet(&path, TableOptions::new("Office"))?);
    cube.create_hierarchy(
        "Geo",
        &[("Site", "Site"), ("Floor", "Floor"), ("Room", "Room")],
    )?;
    cube.add_measure("Devices", Measure::distinct_count("Device"))?;
    // Bytes so far along the rooms of a floor, in room-name order.
    cube.add_measure(
        "Bytes.RUNNING",
        Measure::named("Bytes.SUM").cumulative("Geo/Room"),
    )?;
    // Bytes of the Paris site only, whatever the cell.
    cube.add_measure(
        "Bytes.PARIS",
        Measure::named("Bytes.SUM").filtered("Geo/Site", ["Paris"]),
    )?;

    // Each room, then its floor, site and grand totals (totals come before their rooms).
    let by_room = Query::new()
        .measures(["contributors.COUNT", "Bytes.SUM", "Devices"])
        .levels(["Geo/Room"])
        .with_totals()
        .execute(&cube)?;
    println!("{}", pretty_format_batches(&[by_room])?);

    // The running total restarts on each floor; the Paris bytes are null in Lyon.
    let running = Query::new()
        .measures(["Bytes.SUM", "Bytes.RUNNING", "Bytes.PARIS"])
        .levels(["Geo/Room"])
        .execute(&cube)?;
    println!("{}", pretty_format_batches(&[running])?);

    Ok(())
}

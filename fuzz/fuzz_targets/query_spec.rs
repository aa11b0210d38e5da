//! Any bytes as a query description: parsing and running it on a small notebook cube never
//! panics; a bad description is an error.

#![no_main]

use std::sync::OnceLock;

use flowcube_core::Cube;
use flowcube_iot::load::read_room_file;
use flowcube_iot::notebook;
use flowcube_iot::spec::QuerySpec;
use libfuzzer_sys::fuzz_target;

/// Facts over two days and three rooms, with an empty duration, an empty MAC address
/// (member `N/A`), a duplicate key and fractional seconds.
const ROOMS: [(&str, &str); 3] = [
    (
        "bullpen",
        "EventKey,EventTime,MacAddress,EventDuration\n\
         b1,2022-04-04 08:00:00,00:17:88:CR:PU:Y7,10\n\
         b2,2022-04-04 19:15:30.25,00:17:88:4I:BK:K5,\n\
         b2,2022-04-05 02:00:00,,7\n",
    ),
    (
        "conference1",
        "EventKey,EventTime,MacAddress,EventDuration\n\
         c1,2022-04-04 19:00:00,00:17:88:CR:PU:Y7,-3\n\
         c2,2022-04-05 09:59:59.999999999,aa-bb,9223372036854775807\n",
    ),
    (
        "lab",
        "EventKey,EventTime,MacAddress,EventDuration\n\
         l1,2022-05-04 08:00:00,NA,1\n",
    ),
];

/// The cube, built once.
fn cube() -> &'static Cube {
    static CUBE: OnceLock<Cube> = OnceLock::new();
    CUBE.get_or_init(|| {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let cube = notebook::empty_cube().expect("the notebook cube");
        for (room, content) in ROOMS {
            let path = dir.path().join(format!("{room}.csv"));
            std::fs::write(&path, content).expect("writing a room file");
            let batches = read_room_file(&path, room).expect("a valid room file");
            cube.append(&batches).expect("appending a room");
        }
        cube
    })
}

fuzz_target!(|data: &[u8]| {
    let cube = cube();
    if let Ok(spec) = serde_json::from_slice::<QuerySpec>(data) {
        // Errors are fine; panics are not.
        let _ = spec.run(cube);
    }
});

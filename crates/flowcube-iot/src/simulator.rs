//! Deterministic, seeded simulator of office network-flow logs.
//!
//! The simulator writes one CSV file per room gateway (`bullpen.csv`,
//! `conference1.csv` .. `conference4.csv`), shaped like the reference data the
//! IoT notebook studies. Every file starts with the header
//! `EventKey,EventTime,MacAddress,EventDuration` and holds one line per flow:
//!
//! ```text
//! EventKey,EventTime,MacAddress,EventDuration
//! 20220404080059:001AA0OOZAVP,2022-04-04 08:00:59,00:1A:A0:OO:ZA:VP,544
//! ```
//!
//! * `EventKey` is the event time as `YYYYMMDDHHMMSS`, a colon, and the MAC
//!   address without its colons. A device never emits two flows in the same
//!   second, so keys are unique across the whole folder.
//! * `EventTime` is a naive local time, `YYYY-MM-DD HH:MM:SS`.
//! * `MacAddress` is a real vendor prefix (three hex bytes) followed by three
//!   pairs of uppercase alphanumerics, like the reference data
//!   (`00:17:88:CR:PU:Y7`).
//! * `EventDuration` is a whole number of seconds, at least 1.
//!
//! Rows of each file are sorted by `EventTime`; flows of the same second are
//! ordered by device, in the simulator's internal device order.
//!
//! # The office
//!
//! * **Lamps** (Philips Hue, prefix `00:17:88`) are fixed in one room each:
//!   a few in the bullpen (more for larger offices), one in `conference1`,
//!   two in `conference2`, one each in `conference3` and `conference4`. They
//!   talk around the clock: a beacon at the top of every hour plus about four
//!   more short flows (median 10 s) at random. The first eight lamps carry the
//!   MAC addresses of the reference data, so `00:17:88:CR:PU:Y7` is always a
//!   lamp in `conference2` and `00:17:88:XU:ED:P6` one in the bullpen.
//! * **Personal devices** are laptops (about 20 flows an hour, median 96 s)
//!   and phones (about 9 flows an hour, median 42 s) from Apple, Dell, Intel,
//!   Microsoft, HP, Samsung and Google. They belong to people; most people
//!   carry a laptop and a phone, some only one of them. Employees come in on
//!   most days, arrive around 08:40 and leave around 17:25 (never before 07:00
//!   nor after 19:30), and most go out for lunch. A few people are visitors,
//!   seen on a single day and usually pulled into a meeting.
//! * **Meetings** are booked on the half hour from 09:00 for 30, 60 or 90
//!   minutes. Their attendees' devices leave the bullpen together, stay in the
//!   conference room for the meeting and come back. Meetings grow with the
//!   number of people in the office, so the conference rooms keep a similar
//!   share of the flows at any size (the bullpen has about 85% of them in the
//!   sample, 90% with 1,000 devices). `conference1` is only booked in the morning
//!   (every meeting there ends by 13:00) and is never used for ad-hoc calls,
//!   which reproduces the afternoon dip the notebook finds. People also slip
//!   into a free conference room for a short call now and then, so some
//!   devices are seen in several rooms on the same day.
//!
//! # Calendar
//!
//! Only weekdays are simulated: [`SimulatorConfig::days`] counts working days
//! from [`SimulatorConfig::start`], and Saturdays and Sundays are skipped
//! entirely (no rows at all, lamps included), as in the reference week. A
//! start on a weekend therefore begins on the following Monday. Dates are
//! computed with `chrono`, so runs that cross a month or year boundary stay
//! correct.
//!
//! # Scale and determinism
//!
//! Generation streams: the day is planned first (who is in, which meetings,
//! which room each device is in, second by second), then flows are generated
//! one hour at a time, sorted within that hour, formatted by hand into a
//! reused byte buffer and written through a [`BufWriter`]. Memory holds the
//! day plans and one hour of flows at most: about 25 MB for 10^8 flows.
//!
//! All randomness comes from [`ChaCha8Rng`] streams derived from
//! [`SimulatorConfig::seed`]: each device and person draws its own sub-seed,
//! and every planned stretch of presence reseeds from its device, date and
//! start second. The same configuration therefore always yields byte-identical
//! files, and the stretches can be generated in any order or in parallel.
//!
//! With [`SimulatorConfig::target_events`] set, the personal devices' flow
//! rates are scaled (the plan of who is where stays the same) so that the
//! expected total is the target. The actual total strays from it by about its
//! square root: 0.5% at 50,000 flows, 0.2% at 200,000, so it lands within 2%
//! from about 20,000 flows up. The lamps' trickle is not scaled, so a target
//! below the lamps' own flows (about 120 per lamp per day) can't be met; the
//! simulator then silences personal devices and writes the lamps alone.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The rooms of the office, in file order; each has a gateway file `<room>.csv`.
pub const ROOMS: [&str; 5] = [
    "bullpen",
    "conference1",
    "conference2",
    "conference3",
    "conference4",
];

/// The header line of every room file (without its line feed).
pub const HEADER: &str = "EventKey,EventTime,MacAddress,EventDuration";

/// The vendor prefix of the lamps (Philips Lighting); no other device uses it.
pub const LIGHTING_PREFIX: &str = "00:17:88";

/// A lamp of `conference2` present in every simulated office; the notebook
/// charts the flows of this device.
pub const REFERENCE_LAMP: &str = "00:17:88:CR:PU:Y7";

/// Settings of one simulation run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulatorConfig {
    /// Seed of every random choice; the same configuration gives the same files.
    pub seed: u64,
    /// First day simulated (moved to the next Monday if it is a weekend day).
    pub start: NaiveDate,
    /// Number of working days simulated; weekends are skipped.
    pub days: u32,
    /// Number of personal devices (laptops and phones), visitors included.
    pub personal_devices: u32,
    /// If set, personal-device activity is scaled so the total number of flows
    /// is this many, within 2% (from about 20,000 flows up; see the module
    /// documentation).
    pub target_events: Option<u64>,
}

/// Flows a personal device produces on an average working day, absences
/// included; used to size offices for a target.
const NATURAL_FLOWS_PER_DEVICE_DAY: f64 = 100.0;

impl SimulatorConfig {
    /// The built-in sample, shaped like the reference data: seed 42, the week
    /// of Monday 2022-04-04, 87 personal devices and about 50,000 flows.
    pub fn sample() -> Self {
        Self {
            seed: 42,
            start: reference_monday(),
            days: 5,
            personal_devices: 87,
            target_events: Some(50_000),
        }
    }

    /// An office sized for about `n` flows, starting on 2022-04-04 with seed 42.
    ///
    /// From 10^7 flows up it is 1,000 personal devices over 27 working days,
    /// busier as `n` grows. Below that the office shrinks so that devices keep
    /// roughly their natural activity: 27 days from 10^6 flows, a week from
    /// 20,000, a single day under that. Targets under about 1,000 flows are
    /// below the lamps' own trickle and can't be met.
    pub fn with_target_events(n: u64) -> Self {
        let (days, personal_devices) = if n >= 10_000_000 {
            (27, 1_000)
        } else {
            let days: u32 = if n >= 1_000_000 {
                27
            } else if n >= 20_000 {
                5
            } else {
                1
            };
            let devices = n as f64 / (f64::from(days) * NATURAL_FLOWS_PER_DEVICE_DAY);
            (days, devices.round().clamp(4.0, 1_000.0) as u32)
        };
        Self {
            seed: 42,
            start: reference_monday(),
            days,
            personal_devices,
            target_events: Some(n),
        }
    }
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self::sample()
    }
}

/// What a run wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulationSummary {
    /// Total number of flows (data lines) over all room files.
    pub events: u64,
    /// Flows per room, in [`ROOMS`] order.
    pub events_per_room: Vec<(String, u64)>,
    /// Number of distinct devices (lamps and personal devices) that appear in
    /// the files.
    pub devices: u32,
}

/// Writes the five room files into `dir` (created if missing); overwrites files of the same name.
///
/// # Errors
///
/// Fails on any I/O error, or with [`io::ErrorKind::InvalidInput`] if a
/// simulated date falls outside the years 0 to 9999.
pub fn write_room_folder(config: &SimulatorConfig, dir: &Path) -> io::Result<SimulationSummary> {
    write_room_folder_with_progress(config, dir, |_, _| {})
}

/// Writes the room files as [`write_room_folder`] does, calling `progress(done, days)`
/// after each simulated day.
///
/// # Errors
///
/// Those of [`write_room_folder`].
pub fn write_room_folder_with_progress(
    config: &SimulatorConfig,
    dir: &Path,
    mut progress: impl FnMut(usize, usize),
) -> io::Result<SimulationSummary> {
    let dates = simulated_dates(config);
    let stamps = dates
        .iter()
        .map(|&date| DayStamp::new(date))
        .collect::<io::Result<Vec<_>>>()?;
    let fleet = Fleet::new(config);
    let scale = activity_scale(config, &fleet, &dates);

    std::fs::create_dir_all(dir)?;
    let mut writers = Vec::with_capacity(ROOMS.len());
    for room in ROOMS {
        let mut writer = BufWriter::new(File::create(dir.join(format!("{room}.csv")))?);
        writer.write_all(HEADER.as_bytes())?;
        writer.write_all(b"\n")?;
        writers.push(writer);
    }

    let mut gen = HourGenerator::new(fleet.devices.len());
    let mut segments = Vec::new();
    let mut counts = [0u64; ROOMS.len()];
    for (ordinal, (date, stamp)) in dates.iter().zip(&stamps).enumerate() {
        let date_key = date_key(*date);
        segments.clear();
        plan_day(&fleet, config.seed, ordinal as u32, date_key, &mut segments);
        segments.sort_unstable_by_key(|s| (s.start / HOUR, s.device, s.start));
        let template = stamp.row_template();
        let mut next = 0;
        for hour in 0..24 {
            gen.clear();
            while next < segments.len() && segments[next].start / HOUR == hour {
                gen.generate(&fleet, &segments[next], date_key, scale);
                next += 1;
            }
            for (room, writer) in writers.iter_mut().enumerate() {
                counts[room] += gen.write_room(room, hour * HOUR, &fleet, &template, writer)?;
            }
        }
        progress(ordinal + 1, dates.len());
    }
    for (room, mut writer) in writers.into_iter().enumerate() {
        gen.finish_room(room, &mut writer)?;
        writer.flush()?;
    }

    Ok(SimulationSummary {
        events: counts.iter().sum(),
        events_per_room: ROOMS
            .iter()
            .zip(counts)
            .map(|(room, n)| ((*room).to_owned(), n))
            .collect(),
        devices: gen.seen.iter().filter(|&&seen| seen).count() as u32,
    })
}

fn reference_monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 4, 4).expect("2022-04-04 is a valid date")
}

fn simulated_dates(config: &SimulatorConfig) -> Vec<NaiveDate> {
    config
        .start
        .iter_days()
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .take(config.days as usize)
        .collect()
}

/// Keys a day's random streams: unique within a run, and the same for a date
/// whatever day the run started on.
fn date_key(date: NaiveDate) -> u64 {
    u64::from(date.num_days_from_ce().unsigned_abs())
}

const HOUR: u32 = 3_600;

const fn clock(hours: u32, minutes: u32) -> u32 {
    hours * HOUR + minutes * 60
}

const BULLPEN: u8 = 0;
const CONFERENCE1: u8 = 1;

/// Personal devices never show up outside these hours, so nights carry lamps only.
const EARLIEST: u32 = clock(7, 0);
const LATEST: u32 = clock(19, 30);

/// Every meeting in `conference1` ends by then.
const CONFERENCE1_CLOSES: u32 = clock(13, 0);

const TAG_PERSON: u64 = 0x7065_7273_6f6e;
const TAG_DEVICE: u64 = 0x6465_7669_6365;
const TAG_MEETINGS: u64 = 0x6d65_6574;
const TAG_FLOWS: u64 = 0x666c_6f77;

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn sub_rng(seed: u64, tag: u64, a: u64, b: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(splitmix64(splitmix64(splitmix64(seed ^ tag) ^ a) ^ b))
}

/// A standard normal deviate. Planning draws few of them, so the exact
/// inverse is used rather than the hot loop's tables.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    inverse_normal_cdf(rng.gen::<f64>().clamp(1e-12, 1.0 - 1e-12))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lamp,
    Laptop,
    Phone,
}

impl Kind {
    /// Mean flows per hour of presence, measured on the reference data.
    fn flows_per_hour(self) -> f64 {
        match self {
            // The hourly beacon comes on top of these.
            Kind::Lamp => 4.0,
            Kind::Laptop => 20.0,
            Kind::Phone => 9.0,
        }
    }

    /// Log-normal duration model: median seconds, spread and cap. The
    /// reference durations fit a log-normal closely for every kind.
    fn durations(self) -> (f64, f64, f64) {
        match self {
            Kind::Lamp => (10.0, 0.6, 120.0),
            Kind::Laptop => (96.0, 1.0, 7_200.0),
            Kind::Phone => (42.0, 1.0, 3_600.0),
        }
    }
}

/// Flows in meetings are a little shorter than at a desk in the reference data.
const MEETING_DURATION_FACTOR: f64 = 0.86;

const LAPTOP_VENDORS: [(&str, u32); 5] = [
    ("00:1B:63", 30), // Apple
    ("00:1A:A0", 45), // Dell
    ("00:21:5C", 12), // Intel
    ("00:50:F2", 10), // Microsoft
    ("00:1E:0B", 3),  // Hewlett-Packard
];

const PHONE_VENDORS: [(&str, u32); 3] = [
    ("00:1B:63", 42), // Apple
    ("00:16:DB", 43), // Samsung
    ("3C:5A:B4", 15), // Google
];

/// The reference data's lamps, room by room, so the notebook's remarks about
/// them hold for simulated folders too.
const REFERENCE_LAMPS: [(u8, &str); 8] = [
    (0, "8WY6U1"),
    (0, "UTS932"),
    (0, "XUEDP6"),
    (1, "4IBKK5"),
    (2, "6AR3E2"),
    (2, "CRPUY7"),
    (3, "EQ3KMK"),
    (4, "ZJ9QRS"),
];

const MAC_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

struct Device {
    mac: [u8; 17],
    key: [u8; 12],
    kind: Kind,
    /// Only meaningful for lamps, which never move.
    room: u8,
    seed: u64,
}

struct Person {
    devices: std::ops::Range<u32>,
    visitor: bool,
    /// Day ordinal of a visitor's single visit.
    visit_day: u32,
    attendance: f64,
    seed: u64,
}

struct Fleet {
    devices: Vec<Device>,
    persons: Vec<Person>,
}

impl Fleet {
    fn new(config: &SimulatorConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut taken = HashSet::new();
        let mut devices = Vec::new();

        // The reference bullpen has three lamps for about 90 devices; larger
        // offices get more at the same density.
        let extra_lamps = (config.personal_devices / 30).saturating_sub(3);
        let (bullpen, conference) = REFERENCE_LAMPS.split_at(3);
        let lamps = bullpen
            .iter()
            .map(|&(room, suffix)| (room, Some(suffix)))
            .chain((0..extra_lamps).map(|_| (BULLPEN, None)))
            .chain(
                conference
                    .iter()
                    .map(|&(room, suffix)| (room, Some(suffix))),
            );
        for (room, suffix) in lamps {
            let suffix = match suffix {
                Some(s) => s.as_bytes().try_into().expect("six characters"),
                None => random_suffix(&mut rng),
            };
            devices.push(Device::new(
                LIGHTING_PREFIX,
                suffix,
                Kind::Lamp,
                room,
                &mut rng,
                &mut taken,
            ));
        }

        let personal = config.personal_devices;
        let visitor_devices = if personal >= 4 {
            (personal / 20).max(1)
        } else {
            0
        };
        let mut persons = Vec::new();
        let mut assigned = 0;
        while assigned < personal {
            let visitor = assigned >= personal - visitor_devices;
            let remaining = if visitor {
                personal - assigned
            } else {
                personal - visitor_devices - assigned
            };
            // Most people carry a laptop and a phone; visitors often just a phone.
            let (both, laptop) = if visitor { (0.5, 0.5) } else { (0.6, 0.8) };
            let roll: f64 = rng.gen();
            let kinds: &[Kind] = if roll < both && remaining >= 2 {
                &[Kind::Laptop, Kind::Phone]
            } else if roll < laptop {
                &[Kind::Laptop]
            } else {
                &[Kind::Phone]
            };
            let first = devices.len() as u32;
            for &kind in kinds {
                let vendors: &[(&str, u32)] = if kind == Kind::Laptop {
                    &LAPTOP_VENDORS
                } else {
                    &PHONE_VENDORS
                };
                let oui = pick_weighted(&mut rng, vendors);
                let suffix = random_suffix(&mut rng);
                devices.push(Device::new(
                    oui, suffix, kind, BULLPEN, &mut rng, &mut taken,
                ));
            }
            assigned += kinds.len() as u32;
            persons.push(Person {
                devices: first..devices.len() as u32,
                visitor,
                visit_day: rng.gen_range(0..config.days.max(1)),
                attendance: rng.gen_range(0.8..0.97),
                seed: rng.gen(),
            });
        }
        Self { devices, persons }
    }
}

impl Device {
    fn new(
        oui: &str,
        mut suffix: [u8; 6],
        kind: Kind,
        room: u8,
        rng: &mut ChaCha8Rng,
        taken: &mut HashSet<[u8; 12]>,
    ) -> Self {
        let mut key = [0u8; 12];
        let oui = oui.as_bytes();
        key[..2].copy_from_slice(&oui[0..2]);
        key[2..4].copy_from_slice(&oui[3..5]);
        key[4..6].copy_from_slice(&oui[6..8]);
        loop {
            key[6..].copy_from_slice(&suffix);
            if taken.insert(key) {
                break;
            }
            suffix = random_suffix(rng);
        }
        let mut mac = [b':'; 17];
        for (pair, chunk) in key.chunks(2).enumerate() {
            mac[pair * 3..pair * 3 + 2].copy_from_slice(chunk);
        }
        Self {
            mac,
            key,
            kind,
            room,
            seed: rng.gen(),
        }
    }
}

fn random_suffix(rng: &mut ChaCha8Rng) -> [u8; 6] {
    std::array::from_fn(|_| MAC_ALPHABET[rng.gen_range(0..MAC_ALPHABET.len())])
}

fn pick_weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut roll = rng.gen_range(0..total);
    for &(choice, weight) in choices {
        if roll < weight {
            return choice;
        }
        roll -= weight;
    }
    choices[choices.len() - 1].0
}

/// A stretch of one device's presence in one room, never crossing an hour.
#[derive(Debug, Clone, Copy)]
struct Segment {
    device: u32,
    room: u8,
    /// Seconds since midnight, end exclusive.
    start: u32,
    end: u32,
    /// Flows per second before activity scaling.
    rate: f64,
    /// Lamps keep their trickle whatever the target; people's devices scale.
    scaled: bool,
    /// A flow at the very first second (lamps, on the hour).
    beacon: bool,
}

#[derive(Debug, Clone, Copy)]
struct Stay {
    room: u8,
    start: u32,
    end: u32,
}

impl Stay {
    fn overlaps(&self, start: u32, end: u32) -> bool {
        self.start < end && start < self.end
    }
}

struct PersonDay {
    arrive: u32,
    depart: u32,
    /// Out of the office, devices silent.
    lunch: Option<(u32, u32)>,
    /// Meetings and calls, each in a conference room.
    stays: Vec<Stay>,
}

impl PersonDay {
    fn free(&self, start: u32, end: u32) -> bool {
        self.arrive <= start
            && end <= self.depart
            && !self
                .lunch
                .is_some_and(|(from, to)| from < end && start < to)
            && !self.stays.iter().any(|m| m.overlaps(start, end))
    }
}

fn plan_person(person: &Person, ordinal: u32, date_key: u64) -> Option<PersonDay> {
    let mut rng = sub_rng(person.seed, TAG_PERSON, date_key, 0);
    if person.visitor {
        if ordinal != person.visit_day {
            return None;
        }
        let arrive = rng.gen_range(clock(9, 0)..clock(11, 0));
        let depart = (arrive + rng.gen_range(2 * HOUR..5 * HOUR)).min(clock(17, 45));
        return Some(PersonDay {
            arrive,
            depart,
            lunch: None,
            stays: Vec::new(),
        });
    }
    if rng.gen::<f64>() >= person.attendance {
        return None;
    }
    let around = |rng: &mut ChaCha8Rng, mean: u32, sd: f64| {
        (f64::from(mean) + sd * normal(rng)).round() as u32
    };
    let arrive = around(&mut rng, clock(8, 40), 1_500.0).clamp(clock(7, 5), clock(10, 45));
    let depart = if rng.gen::<f64>() < 0.03 {
        rng.gen_range(clock(14, 0)..clock(16, 30))
    } else {
        around(&mut rng, clock(17, 25), 1_200.0).clamp(clock(16, 0), clock(19, 0))
    };
    let depart = depart.max(arrive + 2 * HOUR);
    let lunch = if rng.gen::<f64>() < 0.6 {
        let start = rng.gen_range(clock(11, 40)..clock(12, 50));
        let end = start + rng.gen_range(25 * 60..60 * 60);
        (arrive < start && end < depart).then_some((start, end))
    } else {
        None
    };
    Some(PersonDay {
        arrive,
        depart,
        lunch,
        stays: Vec::new(),
    })
}

/// Books the conference rooms and fills them with people.
fn plan_meetings(fleet: &Fleet, seed: u64, date_key: u64, days: &mut [Option<PersonDay>]) {
    let mut rng = sub_rng(seed, TAG_MEETINGS, date_key, 0);
    // Chance that a free half-hour slot starts a meeting, per room.
    const BOOKING: [f64; 5] = [0.0, 0.45, 0.17, 0.2, 0.22];
    let mut bookings = Vec::new();
    for room in 1..ROOMS.len() as u8 {
        let closes = if room == CONFERENCE1 {
            CONFERENCE1_CLOSES
        } else {
            clock(18, 0)
        };
        let mut t = clock(9, 0);
        while t + HOUR / 2 <= closes {
            if rng.gen::<f64>() < BOOKING[usize::from(room)] {
                let halves = pick_weighted(&mut rng, &[(1, 30), (2, 45), (3, 25)]);
                let length = (halves * HOUR / 2).min(closes - t);
                bookings.push(Stay {
                    room,
                    start: t,
                    end: t + length,
                });
                t += length;
            } else {
                t += HOUR / 2;
            }
        }
    }
    bookings.sort_unstable_by_key(|b| (b.start, b.room));

    let present = days.iter().filter(|d| d.is_some()).count();
    let mut occupied: Vec<Stay> = Vec::new();
    let mut candidates = Vec::new();
    for booking in bookings {
        candidates.clear();
        candidates.extend(
            days.iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.as_ref()
                        .is_some_and(|d| d.free(booking.start, booking.end))
                })
                .map(|(i, _)| i),
        );
        let wanted = ((present as f64) * rng.gen_range(0.04..0.12))
            .round()
            .max(2.0) as usize;
        // Visitors come for meetings, so they get first pick.
        let mut chosen = 0;
        for i in 0..candidates.len() {
            if fleet.persons[candidates[i]].visitor && rng.gen::<f64>() < 0.7 {
                candidates.swap(chosen, i);
                chosen += 1;
            }
        }
        while chosen < wanted.min(candidates.len()) {
            let pick = rng.gen_range(chosen..candidates.len());
            candidates.swap(chosen, pick);
            chosen += 1;
        }
        for &p in &candidates[..chosen] {
            if let Some(day) = days[p].as_mut() {
                day.stays.push(booking);
            }
        }
        if chosen > 0 {
            occupied.push(booking);
        }
    }

    // Short calls in whatever room is free; never conference1, which people
    // shun in the afternoon and only use when booked.
    for (p, slot) in days.iter_mut().enumerate() {
        let Some(day) = slot.as_mut() else { continue };
        if fleet.persons[p].visitor || rng.gen::<f64>() >= 0.1 {
            continue;
        }
        let room = rng.gen_range(2..ROOMS.len() as u8);
        let length = rng.gen_range(600..1_500);
        let (from, to) = (day.arrive.max(clock(9, 0)), day.depart.min(clock(17, 30)));
        if from + length >= to {
            continue;
        }
        let start = rng.gen_range(from..to - length);
        let call = Stay {
            room,
            start,
            end: start + length,
        };
        let room_free = !occupied
            .iter()
            .any(|o| o.room == room && o.overlaps(call.start, call.end));
        if room_free && day.free(call.start, call.end) {
            day.stays.push(call);
            occupied.push(call);
        }
    }
}

/// Appends the day's presence segments of every device to `out`, each within
/// one hour.
fn plan_day(fleet: &Fleet, seed: u64, ordinal: u32, date_key: u64, out: &mut Vec<Segment>) {
    // The beacon takes the hour's first second; the random flows share the rest.
    let lamp_rate = Kind::Lamp.flows_per_hour() / f64::from(HOUR - 1);
    for (index, device) in fleet.devices.iter().enumerate() {
        if device.kind != Kind::Lamp {
            continue;
        }
        out.extend((0..24).map(|hour| Segment {
            device: index as u32,
            room: device.room,
            start: hour * HOUR,
            end: (hour + 1) * HOUR,
            rate: lamp_rate,
            scaled: false,
            beacon: true,
        }));
    }

    let mut days: Vec<Option<PersonDay>> = fleet
        .persons
        .iter()
        .map(|person| plan_person(person, ordinal, date_key))
        .collect();
    plan_meetings(fleet, seed, date_key, &mut days);

    let mut pieces: Vec<(u32, u32, u8)> = Vec::new();
    for (person, day) in fleet.persons.iter().zip(&days) {
        let Some(day) = day else { continue };
        for index in person.devices.clone() {
            let device = &fleet.devices[index as usize];
            let mut rng = sub_rng(device.seed, TAG_DEVICE, date_key, 0);
            let arrive = day
                .arrive
                .saturating_add_signed(rng.gen_range(-180..=180))
                .max(EARLIEST);
            let depart = day
                .depart
                .saturating_add_signed(rng.gen_range(-180..=180))
                .min(LATEST);
            // Busy and quiet hours: a log-normal factor with mean 1 keeps the
            // expected count unchanged while spreading it unevenly.
            let activity: [f64; 24] =
                std::array::from_fn(|_| (0.5 * normal(&mut rng) - 0.125).exp());

            pieces.clear();
            if arrive < depart {
                pieces.push((arrive, depart, BULLPEN));
            }
            if let Some((start, end)) = day.lunch {
                cut(&mut pieces, start, end);
            }
            for stay in &day.stays {
                // The walk to and from the room leaves a short silence.
                cut(&mut pieces, stay.start, stay.end);
                let start = (stay.start + rng.gen_range(0..180)).max(arrive);
                let end = (stay.end - rng.gen_range(0..120)).min(depart);
                if start < end {
                    pieces.push((start, end, stay.room));
                }
            }
            pieces.sort_unstable();

            let rate = device.kind.flows_per_hour() / f64::from(HOUR);
            for &(start, end, room) in &pieces {
                let mut from = start;
                while from < end {
                    let hour = from / HOUR;
                    let to = end.min((hour + 1) * HOUR);
                    out.push(Segment {
                        device: index,
                        room,
                        start: from,
                        end: to,
                        rate: rate * activity[hour as usize],
                        scaled: true,
                        beacon: false,
                    });
                    from = to;
                }
            }
        }
    }
}

/// Removes `[start, end)` from a set of disjoint pieces.
fn cut(pieces: &mut Vec<(u32, u32, u8)>, start: u32, end: u32) {
    let mut i = 0;
    while i < pieces.len() {
        let (s, e, room) = pieces[i];
        if e <= start || end <= s {
            i += 1;
            continue;
        }
        pieces.swap_remove(i);
        if s < start {
            pieces.push((s, start, room));
        }
        if end < e {
            pieces.push((end, e, room));
        }
    }
}

/// Probability of a flow in a given second of a segment.
fn flow_probability(segment: &Segment, scale: f64) -> f64 {
    let rate = if segment.scaled {
        segment.rate * scale
    } else {
        segment.rate
    };
    rate.min(1.0)
}

fn expected_flows(segment: &Segment, scale: f64) -> f64 {
    let beacon = u32::from(segment.beacon);
    f64::from(beacon)
        + flow_probability(segment, scale) * f64::from(segment.end - segment.start - beacon)
}

/// The factor on personal-device rates that makes the expected total hit the
/// target. Flows are independent per second, so the actual total only strays
/// from its expectation by about its square root.
fn activity_scale(config: &SimulatorConfig, fleet: &Fleet, dates: &[NaiveDate]) -> f64 {
    let Some(target) = config.target_events else {
        return 1.0;
    };
    let target = target as f64;
    let mut fixed = 0.0;
    let mut scaled = Vec::new();
    let mut segments = Vec::new();
    for (ordinal, &date) in dates.iter().enumerate() {
        segments.clear();
        plan_day(
            fleet,
            config.seed,
            ordinal as u32,
            date_key(date),
            &mut segments,
        );
        for segment in &segments {
            if segment.scaled {
                scaled.push(*segment);
            } else {
                fixed += expected_flows(segment, 1.0);
            }
        }
    }
    let expected =
        |scale: f64| fixed + scaled.iter().map(|s| expected_flows(s, scale)).sum::<f64>();
    if scaled.is_empty() || target <= fixed {
        return 0.0;
    }
    // Past this factor every second of presence already carries a flow.
    let mut high = scaled.iter().map(|s| 1.0 / s.rate).fold(0.0, f64::max);
    if expected(high) <= target {
        return high;
    }
    let mut low = 0.0;
    for _ in 0..64 {
        let mid = 0.5 * (low + high);
        if expected(mid) < target {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

#[derive(Debug, Clone, Copy, Default)]
struct Flow {
    second: u32,
    device: u32,
    duration: u32,
}

/// Longest row: 66 fixed bytes, a `u32` duration and the line feed.
const ROW_MAX: usize = 80;

/// Room files are written in chunks of about this size.
const FLUSH_AT: usize = 1 << 18;

const BUCKET_BITS: u32 = 10;
const BUCKETS: usize = 1 << BUCKET_BITS;
const FRACTION_BITS: u32 = 32 - BUCKET_BITS;

/// An inverse distribution function tabulated at `BUCKETS + 1` points and
/// interpolated linearly, so that the hot loop draws a deviate from one
/// 32-bit random number without any transcendental function.
struct Quantiles {
    points: [f64; BUCKETS + 1],
}

impl Quantiles {
    fn new(inverse_cdf: impl Fn(f64) -> f64) -> Self {
        Self {
            points: std::array::from_fn(|k| {
                inverse_cdf((k as f64 / BUCKETS as f64).clamp(1e-7, 1.0 - 1e-7))
            }),
        }
    }

    fn split(bits: u32) -> (usize, f64) {
        let fraction = f64::from(bits & ((1 << FRACTION_BITS) - 1));
        (
            (bits >> FRACTION_BITS) as usize,
            fraction / f64::from(1u32 << FRACTION_BITS),
        )
    }

    fn sample(&self, bits: u32) -> f64 {
        let (i, fraction) = Self::split(bits);
        self.points[i] + (self.points[i + 1] - self.points[i]) * fraction
    }
}

/// Unit exponential deviates for the gaps between flows.
struct Exponential(Quantiles);

impl Exponential {
    fn new() -> Self {
        Self(Quantiles::new(|p| -(-p).ln_1p()))
    }

    fn sample(&self, bits: u32) -> f64 {
        let (i, fraction) = Quantiles::split(bits);
        if i == BUCKETS - 1 {
            // Interpolating the unbounded last bucket would bias the mean gap
            // and so the flow count; the tail is drawn exactly instead (it is
            // again exponential, the distribution being memoryless).
            (BUCKETS as f64).ln() - (-fraction).ln_1p()
        } else {
            self.0.sample(bits)
        }
    }
}

/// The inverse of the standard normal distribution function (Acklam's
/// rational approximation, relative error below 1.2e-9).
fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -inverse_normal_cdf(1.0 - p)
    }
}

/// Distributions of the hot loop, built once per run.
struct Tables {
    gaps: Exponential,
    /// Durations of lamps, then laptops and phones at a desk and in a meeting.
    durations: [Quantiles; 5],
}

impl Tables {
    fn new() -> Self {
        let durations = |kind: Kind, factor: f64| {
            let (median, sigma, cap) = kind.durations();
            Quantiles::new(move |p| {
                (factor * median * (sigma * inverse_normal_cdf(p)).exp()).clamp(1.0, cap)
            })
        };
        Self {
            gaps: Exponential::new(),
            durations: [
                durations(Kind::Lamp, 1.0),
                durations(Kind::Laptop, 1.0),
                durations(Kind::Laptop, MEETING_DURATION_FACTOR),
                durations(Kind::Phone, 1.0),
                durations(Kind::Phone, MEETING_DURATION_FACTOR),
            ],
        }
    }

    fn durations(&self, kind: Kind, room: u8) -> &Quantiles {
        let meeting = usize::from(room != BULLPEN);
        &self.durations[match kind {
            Kind::Lamp => 0,
            Kind::Laptop => 1 + meeting,
            Kind::Phone => 3 + meeting,
        }]
    }
}

/// Generates, orders and writes the flows of one hour at a time, reusing its
/// buffers from hour to hour.
struct HourGenerator {
    tables: Tables,
    rooms: [Vec<Flow>; ROOMS.len()],
    sorted: Vec<Flow>,
    slots: Vec<u32>,
    /// Formatted rows waiting to be written, per room, and their length.
    pending: [(Vec<u8>, usize); ROOMS.len()],
    seen: Vec<bool>,
}

impl HourGenerator {
    fn new(devices: usize) -> Self {
        Self {
            tables: Tables::new(),
            rooms: Default::default(),
            sorted: Vec::new(),
            slots: vec![0; HOUR as usize + 1],
            pending: std::array::from_fn(|_| (vec![0; FLUSH_AT + ROW_MAX], 0)),
            seen: vec![false; devices],
        }
    }

    fn clear(&mut self) {
        self.rooms.iter_mut().for_each(Vec::clear);
    }

    /// Flows happen in a second with a fixed probability, drawn as geometric
    /// gaps; a device thus never has two flows in one second.
    fn generate(&mut self, fleet: &Fleet, segment: &Segment, date_key: u64, scale: f64) {
        let device = &fleet.devices[segment.device as usize];
        let mut rng = sub_rng(device.seed, TAG_FLOWS, date_key, u64::from(segment.start));
        let durations = self.tables.durations(device.kind, segment.room);
        let gaps = &self.tables.gaps;
        // Rounds half up; durations are at least 1.
        let duration = |rng: &mut ChaCha8Rng| (durations.sample(rng.next_u32()) + 0.5) as u32;

        let flows = &mut self.rooms[usize::from(segment.room)];
        let before = flows.len();
        let mut second = segment.start;
        if segment.beacon {
            flows.push(Flow {
                second,
                device: segment.device,
                duration: duration(&mut rng),
            });
            second += 1;
        }
        let p = flow_probability(segment, scale);
        if p > 0.0 {
            // A geometric gap is an exponential one scaled by this and rounded
            // down; zero when every second carries a flow.
            let gap_per_unit = if p < 1.0 { -1.0 / (-p).ln_1p() } else { 0.0 };
            loop {
                let gap = (gaps.sample(rng.next_u32()) * gap_per_unit) as u64;
                let at = u64::from(second) + gap;
                if at >= u64::from(segment.end) {
                    break;
                }
                let at = at as u32;
                flows.push(Flow {
                    second: at,
                    device: segment.device,
                    duration: duration(&mut rng),
                });
                second = at + 1;
            }
        }
        if flows.len() > before {
            self.seen[segment.device as usize] = true;
        }
    }

    /// Formats one room's flows of the hour starting at `hour_start`, in time
    /// order, writing out full chunks, and returns how many there were.
    fn write_room(
        &mut self,
        room: usize,
        hour_start: u32,
        fleet: &Fleet,
        template: &[u8; ROW_MAX],
        out: &mut impl Write,
    ) -> io::Result<u64> {
        let flows = &self.rooms[room];
        if flows.is_empty() {
            return Ok(0);
        }
        // A counting sort on the second: linear, and stable, so flows of the
        // same second keep their device order.
        self.slots.fill(0);
        for flow in flows {
            self.slots[(flow.second - hour_start) as usize + 1] += 1;
        }
        for i in 1..self.slots.len() {
            self.slots[i] += self.slots[i - 1];
        }
        self.sorted.clear();
        self.sorted.resize(flows.len(), Flow::default());
        for flow in flows {
            let slot = &mut self.slots[(flow.second - hour_start) as usize];
            self.sorted[*slot as usize] = *flow;
            *slot += 1;
        }

        let (bytes, len) = &mut self.pending[room];
        for flow in &self.sorted {
            if *len > FLUSH_AT {
                out.write_all(&bytes[..*len])?;
                *len = 0;
            }
            let row: &mut [u8; ROW_MAX] = (&mut bytes[*len..*len + ROW_MAX])
                .try_into()
                .expect("the buffer keeps room for a row past FLUSH_AT");
            *len += format_row(row, template, flow, &fleet.devices[flow.device as usize]);
        }
        Ok(flows.len() as u64)
    }

    /// Writes whatever rows of `room` are still pending.
    fn finish_room(&mut self, room: usize, out: &mut impl Write) -> io::Result<()> {
        let (bytes, len) = &mut self.pending[room];
        out.write_all(&bytes[..*len])?;
        *len = 0;
        Ok(())
    }
}

const TWO_DIGITS: [[u8; 2]; 100] = {
    let mut table = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        table[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// Writes a row into `row`, starting from a day's template, and returns its
/// length.
fn format_row(
    row: &mut [u8; ROW_MAX],
    template: &[u8; ROW_MAX],
    flow: &Flow,
    device: &Device,
) -> usize {
    *row = *template;
    let second = flow.second as usize;
    let hh = TWO_DIGITS[second / 3_600];
    let mm = TWO_DIGITS[second / 60 % 60];
    let ss = TWO_DIGITS[second % 60];
    row[8..10].copy_from_slice(&hh);
    row[10..12].copy_from_slice(&mm);
    row[12..14].copy_from_slice(&ss);
    row[15..27].copy_from_slice(&device.key);
    row[39..41].copy_from_slice(&hh);
    row[42..44].copy_from_slice(&mm);
    row[45..47].copy_from_slice(&ss);
    row[48..65].copy_from_slice(&device.mac);

    let duration = flow.duration;
    let digits = match duration {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1_000..=9_999 => 4,
        _ => duration.ilog10() as usize + 1,
    };
    let mut rest = duration;
    for at in (66..66 + digits).rev() {
        row[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    row[66 + digits] = b'\n';
    67 + digits
}

/// A day's date in the two spellings a row needs.
struct DayStamp {
    compact: [u8; 8],
    dashed: [u8; 10],
}

impl DayStamp {
    fn new(date: NaiveDate) -> io::Result<Self> {
        let year = usize::try_from(date.year())
            .ok()
            .filter(|&y| y <= 9_999)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{date}: year out of range 0..=9999"),
                )
            })?;
        let [y1, y2] = TWO_DIGITS[year / 100];
        let [y3, y4] = TWO_DIGITS[year % 100];
        let [m1, m2] = TWO_DIGITS[date.month() as usize];
        let [d1, d2] = TWO_DIGITS[date.day() as usize];
        Ok(Self {
            compact: [y1, y2, y3, y4, m1, m2, d1, d2],
            dashed: [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2],
        })
    }

    /// A row with every byte that doesn't change within the day filled in.
    fn row_template(&self) -> [u8; ROW_MAX] {
        let mut row = [0u8; ROW_MAX];
        row[..8].copy_from_slice(&self.compact);
        row[14] = b':';
        row[27] = b',';
        row[28..38].copy_from_slice(&self.dashed);
        row[38] = b' ';
        row[41] = b':';
        row[44] = b':';
        row[47] = b',';
        row[65] = b',';
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, Timelike};
    use std::collections::{HashMap, HashSet};
    use std::sync::OnceLock;

    struct Row {
        room: usize,
        time: NaiveDateTime,
        mac: [u8; 17],
    }

    impl Row {
        fn is_lamp(&self) -> bool {
            self.mac.starts_with(LIGHTING_PREFIX.as_bytes())
        }
    }

    struct Written {
        summary: SimulationSummary,
        files: Vec<Vec<u8>>,
        rows: Vec<Row>,
    }

    fn write_files(config: &SimulatorConfig) -> (SimulationSummary, Vec<Vec<u8>>) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let summary = write_room_folder(config, dir.path()).expect("simulation runs");
        let files = ROOMS
            .iter()
            .map(|room| std::fs::read(dir.path().join(format!("{room}.csv"))).expect("room file"))
            .collect();
        (summary, files)
    }

    fn write(config: &SimulatorConfig) -> Written {
        let (summary, files) = write_files(config);
        let rows = files
            .iter()
            .enumerate()
            .flat_map(|(room, bytes)| parse(room, bytes))
            .collect();
        Written {
            summary,
            files,
            rows,
        }
    }

    /// The sample is costly enough in a debug build to be written only once.
    fn sample() -> &'static Written {
        static SAMPLE: OnceLock<Written> = OnceLock::new();
        SAMPLE.get_or_init(|| write(&SimulatorConfig::sample()))
    }

    fn is_mac(mac: &[u8]) -> bool {
        mac.len() == 17
            && mac.chunks(3).enumerate().all(|(pair, chunk)| {
                let allowed = |b: &u8| {
                    b.is_ascii_digit()
                        || (pair < 3 && (b'A'..=b'F').contains(b))
                        || (pair >= 3 && b.is_ascii_uppercase())
                };
                chunk[..2].iter().all(allowed) && (chunk.len() == 2 || chunk[2] == b':')
            })
    }

    fn number(digits: &[u8]) -> u32 {
        assert!(!digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
        digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    }

    /// Parses `YYYY-MM-DD HH:MM:SS` strictly; chrono's format parser is too
    /// slow for 50,000 rows in a debug build.
    fn parse_time(text: &[u8]) -> Option<NaiveDateTime> {
        let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
        if text.len() != 19 || separators.iter().any(|&(at, c)| text[at] != c) {
            return None;
        }
        NaiveDate::from_ymd_opt(
            i32::try_from(number(&text[0..4])).ok()?,
            number(&text[5..7]),
            number(&text[8..10]),
        )?
        .and_hms_opt(
            number(&text[11..13]),
            number(&text[14..16]),
            number(&text[17..19]),
        )
    }

    /// Parses a room file, checking the format of every field.
    fn parse(room: usize, bytes: &[u8]) -> Vec<Row> {
        let header = format!("{HEADER}\n");
        assert!(bytes.starts_with(header.as_bytes()));
        let body = &bytes[header.len()..];
        assert!(body.is_empty() || body.ends_with(b"\n"));
        body.split_inclusive(|&b| b == b'\n')
            .map(|line| {
                let line = &line[..line.len() - 1];
                let shown = String::from_utf8_lossy(line);
                let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
                let [key, time, mac, duration] = fields[..] else {
                    panic!("not four fields: {shown}");
                };
                let parsed = parse_time(time).unwrap_or_else(|| panic!("bad time: {shown}"));
                assert!(is_mac(mac), "bad MAC address: {shown}");
                let time_digits = time.iter().filter(|b| b.is_ascii_digit());
                let mac_chars = mac.iter().filter(|&&b| b != b':');
                let expected_key: Vec<u8> =
                    time_digits.chain(b":").chain(mac_chars).copied().collect();
                assert_eq!(key, &expected_key[..], "bad key: {shown}");
                assert!(number(duration) >= 1, "bad duration: {shown}");
                Row {
                    room,
                    time: parsed,
                    mac: mac.try_into().expect("checked length"),
                }
            })
            .collect()
    }

    #[test]
    fn same_config_gives_identical_files() {
        let (summary, files) = write_files(&SimulatorConfig::sample());
        assert_eq!(summary, sample().summary);
        for (room, (a, b)) in ROOMS.iter().zip(files.iter().zip(&sample().files)) {
            assert!(a == b, "{room}.csv differs between runs");
        }
    }

    #[test]
    fn rows_are_well_formed_sorted_and_unique() {
        let rows = &sample().rows;
        for pair in rows.windows(2) {
            if pair[0].room == pair[1].room {
                assert!(
                    pair[0].time <= pair[1].time,
                    "{} after {}",
                    pair[0].time,
                    pair[1].time
                );
            }
        }
        let keys: HashSet<_> = rows.iter().map(|r| (r.time, r.mac)).collect();
        assert_eq!(
            keys.len(),
            rows.len(),
            "a device has two flows in one second"
        );
    }

    #[test]
    fn sample_is_shaped_like_the_reference() {
        let Written { summary, rows, .. } = sample();
        assert!((49_000..=51_000).contains(&summary.events), "{summary:?}");
        assert_eq!(summary.events, rows.len() as u64);
        for (room, (name, count)) in summary.events_per_room.iter().enumerate() {
            assert_eq!(name, ROOMS[room]);
            assert_eq!(
                *count,
                rows.iter().filter(|r| r.room == room).count() as u64
            );
        }
        let bullpen = summary.events_per_room[0].1 as f64 / summary.events as f64;
        assert!((0.8..0.92).contains(&bullpen), "bullpen share {bullpen}");
        let macs: HashSet<_> = rows.iter().map(|r| r.mac).collect();
        assert_eq!(macs.len() as u32, summary.devices);
        assert_eq!(summary.devices, 95);
        let days: HashSet<_> = rows.iter().map(|r| r.time.date()).collect();
        assert_eq!(days.len(), 5);
    }

    #[test]
    fn lamps_stay_in_one_room_and_light_every_room() {
        let mut rooms: HashMap<&[u8], HashSet<usize>> = HashMap::new();
        for row in sample().rows.iter().filter(|r| r.is_lamp()) {
            rooms.entry(&row.mac[..]).or_default().insert(row.room);
        }
        assert!(rooms.values().all(|r| r.len() == 1));
        let lit: HashSet<usize> = rooms.values().flatten().copied().collect();
        assert_eq!(lit.len(), ROOMS.len());
        assert_eq!(
            rooms.get(REFERENCE_LAMP.as_bytes()),
            Some(&HashSet::from([2]))
        );
    }

    #[test]
    fn personal_devices_come_from_several_real_vendors() {
        let prefixes: HashSet<&[u8]> = sample()
            .rows
            .iter()
            .filter(|r| !r.is_lamp())
            .map(|r| &r.mac[..8])
            .collect();
        let known: HashSet<&[u8]> = LAPTOP_VENDORS
            .iter()
            .chain(&PHONE_VENDORS)
            .map(|(oui, _)| oui.as_bytes())
            .collect();
        assert!(prefixes.is_subset(&known), "{prefixes:?}");
        // Most of the seven vendors show up in the sample; the lamps' vendor never does.
        assert!(prefixes.len() >= 5, "{prefixes:?}");
        assert!(!prefixes.contains(LIGHTING_PREFIX.as_bytes()));
    }

    #[test]
    fn nights_carry_only_lamps() {
        let night: Vec<&Row> = sample()
            .rows
            .iter()
            .filter(|r| r.time.hour() <= 6)
            .collect();
        assert!(night.len() > 1_000);
        assert!(night.iter().all(|r| r.is_lamp()));
    }

    #[test]
    fn conference1_is_deserted_in_the_afternoon() {
        let people: Vec<&Row> = sample()
            .rows
            .iter()
            .filter(|r| r.room == 1 && !r.is_lamp())
            .collect();
        assert!(!people.is_empty());
        assert!(people.iter().all(|r| r.time.hour() < 13));
        let afternoon_elsewhere = sample()
            .rows
            .iter()
            .any(|r| r.room > 1 && !r.is_lamp() && r.time.hour() >= 14);
        assert!(afternoon_elsewhere);
    }

    #[test]
    fn devices_move_between_rooms_and_visitors_come_once() {
        let mut rooms: HashMap<_, HashSet<usize>> = HashMap::new();
        let mut days: HashMap<_, HashSet<_>> = HashMap::new();
        for row in sample().rows.iter().filter(|r| !r.is_lamp()) {
            let date = row.time.date();
            rooms.entry((row.mac, date)).or_default().insert(row.room);
            days.entry(row.mac).or_default().insert(date);
        }
        assert!(rooms.values().filter(|r| r.len() >= 2).count() > 20);
        assert!(rooms.values().any(|r| r.len() >= 3));
        assert!(days.values().any(|d| d.len() == 1));
        assert!(days.values().filter(|d| d.len() >= 4).count() > 50);
    }

    #[test]
    fn target_is_met_within_two_percent() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let summary = write_room_folder(&SimulatorConfig::with_target_events(200_000), dir.path())
            .expect("simulation runs");
        assert!(summary.events.abs_diff(200_000) <= 4_000, "{summary:?}");
        let lines: u64 = ROOMS
            .iter()
            .map(|room| {
                let bytes =
                    std::fs::read(dir.path().join(format!("{room}.csv"))).expect("room file");
                bytes.iter().filter(|&&b| b == b'\n').count() as u64 - 1
            })
            .sum();
        assert_eq!(lines, summary.events);
    }

    #[test]
    fn weekends_are_skipped_across_month_ends() {
        let config = SimulatorConfig {
            seed: 7,
            start: NaiveDate::from_ymd_opt(2022, 4, 29).expect("date"),
            days: 3,
            personal_devices: 6,
            target_events: None,
        };
        let mut days: Vec<String> = write(&config)
            .rows
            .iter()
            .map(|r| r.time.date().to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        days.sort();
        assert_eq!(days, ["2022-04-29", "2022-05-02", "2022-05-03"]);
    }

    #[test]
    fn progress_is_told_after_each_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut told = Vec::new();
        let config = SimulatorConfig {
            days: 3,
            ..SimulatorConfig::with_target_events(3_000)
        };
        write_room_folder_with_progress(&config, dir.path(), |done, days| {
            told.push((done, days));
        })
        .unwrap();
        assert_eq!(told, [(1, 3), (2, 3), (3, 3)]);
    }

    #[test]
    fn zero_days_leave_headers_only() {
        let config = SimulatorConfig {
            days: 0,
            ..SimulatorConfig::sample()
        };
        let written = write(&config);
        assert_eq!(written.summary.events, 0);
        assert!(written
            .files
            .iter()
            .all(|f| f == format!("{HEADER}\n").as_bytes()));
    }

    #[test]
    fn offices_are_sized_for_their_target() {
        for n in [10_000_000, 100_000_000] {
            let config = SimulatorConfig::with_target_events(n);
            assert_eq!((config.days, config.personal_devices), (27, 1_000));
            assert_eq!(config.target_events, Some(n));
        }
        let million = SimulatorConfig::with_target_events(1_000_000);
        assert_eq!(million.days, 27);
        assert!((300..=1_000).contains(&million.personal_devices));
        assert_eq!(SimulatorConfig::with_target_events(200_000).days, 5);
        assert_eq!(SimulatorConfig::default(), SimulatorConfig::sample());
    }

    #[test]
    fn tabulated_distributions_keep_their_moments() {
        assert!((inverse_normal_cdf(0.975) - 1.959_964).abs() < 1e-6);
        assert!((inverse_normal_cdf(0.5)).abs() < 1e-12);
        assert!((inverse_normal_cdf(1e-6) + 4.753_424).abs() < 1e-5);
        // The mean gap sets the flow count, so it must stay 1 to well within
        // the target's tolerance.
        let gaps = Exponential::new();
        let draws = 1u32 << 20;
        let mean = (0..draws)
            .map(|i| gaps.sample(i << 12 | 0x800))
            .sum::<f64>()
            / f64::from(draws);
        assert!((mean - 1.0).abs() < 1e-3, "mean gap {mean}");
    }

    #[test]
    fn rows_are_formatted_by_hand_like_the_reference() {
        let stamp =
            DayStamp::new(NaiveDate::from_ymd_opt(2022, 4, 4).expect("date")).expect("stamp");
        let mut taken = HashSet::new();
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let device = Device::new(
            "00:1A:A0",
            *b"OOZAVP",
            Kind::Laptop,
            BULLPEN,
            &mut rng,
            &mut taken,
        );
        let flow = Flow {
            second: clock(8, 0) + 59,
            device: 0,
            duration: 544,
        };
        let mut row = [0; ROW_MAX];
        let len = format_row(&mut row, &stamp.row_template(), &flow, &device);
        assert_eq!(
            std::str::from_utf8(&row[..len]),
            Ok("20220404080059:001AA0OOZAVP,2022-04-04 08:00:59,00:1A:A0:OO:ZA:VP,544\n")
        );
        let far = DayStamp::new(NaiveDate::from_ymd_opt(10_000, 1, 1).expect("date"));
        assert_eq!(
            far.err().map(|e| e.kind()),
            Some(io::ErrorKind::InvalidInput)
        );
    }
}

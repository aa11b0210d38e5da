//! Date levels: members read from a timestamp through a date-format pattern.
//!
//! A pattern is written as in Java's `DateTimeFormatter`, the reference engine's notation:
//! `d` is the day of the month, `HH` the hour of day padded to two digits, `yyyy-MM-dd` a
//! date. A pattern of one letter among `y M d H m s Y w W q Q e c` gives integer members
//! (`d` → 4); any other pattern gives strings (`HH` → "08"). Levels read the written fields
//! of a naive timestamp: a fraction of a second never moves a member.
//!
//! Weeks follow the reference engine's default locale (US): they start on Sunday, and the
//! week of January 1st is week 1 (`w`) of its week-based year (`Y`), so the last days of
//! December can fall in week 1 of the next year; `W` is the week of the month on the same
//! rule, and `e` the day of the week with Sunday as 1.

use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::value::Value;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar field that a pattern letter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum DateField {
    // Declared from most to least significant: members encode fields in this order, so
    // integer codes of a multi-field pattern follow time order.
    Year,
    WeekBasedYear,
    Quarter,
    Month,
    Week,
    DayOfYear,
    WeekOfMonth,
    Day,
    DayOfWeek,
    Hour,
    Minute,
    Second,
}

impl DateField {
    fn of_letter(letter: char) -> Option<DateField> {
        Some(match letter {
            'y' | 'u' => DateField::Year,
            'Y' => DateField::WeekBasedYear,
            'w' => DateField::Week,
            'W' => DateField::WeekOfMonth,
            'q' | 'Q' => DateField::Quarter,
            'M' | 'L' => DateField::Month,
            'D' => DateField::DayOfYear,
            'd' => DateField::Day,
            'e' | 'c' | 'E' => DateField::DayOfWeek,
            'H' => DateField::Hour,
            'm' => DateField::Minute,
            's' => DateField::Second,
            _ => return None,
        })
    }

    /// The smallest value and the number of values, for fields with a fixed range.
    fn fixed_range(self) -> Option<(i64, u64)> {
        Some(match self {
            DateField::Year | DateField::WeekBasedYear => return None,
            DateField::Quarter => (1, 4),
            DateField::Week => (1, 53),
            DateField::WeekOfMonth => (1, 6),
            DateField::Month => (1, 12),
            DateField::DayOfYear => (1, 366),
            DateField::Day => (1, 31),
            DateField::DayOfWeek => (1, 7),
            DateField::Hour => (0, 24),
            DateField::Minute | DateField::Second => (0, 60),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Field { letter: char, width: usize },
}

/// A parsed date-format pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatePattern {
    text: String,
    tokens: Vec<Token>,
    fields: Vec<DateField>,
    is_integer: bool,
}

impl DatePattern {
    /// Parses a pattern.
    ///
    /// # Errors
    /// An empty pattern, a letter flowcube does not support, or an unterminated quote.
    pub fn parse(text: &str) -> Result<DatePattern> {
        let invalid = |reason: &str| Error::DatePattern {
            pattern: text.to_owned(),
            reason: reason.to_owned(),
        };
        let mut tokens = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                // Quoted literal text; '' is a quote.
                let mut literal = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(invalid("unterminated quote")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&other) => {
                            literal.push(other);
                            i += 1;
                        }
                    }
                }
                if literal.is_empty() {
                    literal.push('\'');
                }
                tokens.push(Token::Literal(literal));
            } else if c.is_ascii_alphabetic() {
                let mut width = 1;
                while chars.get(i + width) == Some(&c) {
                    width += 1;
                }
                if DateField::of_letter(c).is_none() {
                    // TODO: am/pm hours (a, h, k, K), era (G) and time-zone letters are not
                    // supported.
                    return Err(invalid(&format!("unsupported pattern letter {c:?}")));
                }
                tokens.push(Token::Field { letter: c, width });
                i += width;
            } else {
                tokens.push(Token::Literal(c.to_string()));
                i += 1;
            }
        }
        let mut fields: Vec<DateField> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Field { letter, .. } => DateField::of_letter(*letter),
                Token::Literal(_) => None,
            })
            .collect();
        if fields.is_empty() {
            return Err(invalid("the pattern reads no date field"));
        }
        fields.sort();
        fields.dedup();
        let is_integer = matches!(
            tokens.as_slice(),
            [Token::Field {
                letter: 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'Y' | 'w' | 'W' | 'q' | 'Q' | 'e' | 'c',
                width: 1
            }]
        );
        Ok(DatePattern {
            text: text.to_owned(),
            tokens,
            fields,
            is_integer,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether members are integers (else strings).
    pub fn is_integer(&self) -> bool {
        self.is_integer
    }

    /// The length in seconds of the finest field the pattern reads: 3600 for `HH`,
    /// 86,400 for `d` or `yyyy-MM`. Every member is constant over such a span.
    pub fn finest_seconds(&self) -> i64 {
        match self.fields.last() {
            Some(DateField::Second) => 1,
            Some(DateField::Minute) => 60,
            Some(DateField::Hour) => 3_600,
            _ => 86_400,
        }
    }

    /// A coder for timestamps whose years lie in `min_year..=max_year`.
    pub(crate) fn coder(&self, min_year: i32, max_year: i32) -> DateCoder {
        let mut radices = Vec::with_capacity(self.fields.len());
        let years = (max_year - min_year + 1).max(1) as u64;
        for field in &self.fields {
            let (min, count) = match field {
                // The last days of a year can be in week 1 of the next one.
                DateField::WeekBasedYear => (i64::from(min_year), years + 1),
                _ => field.fixed_range().unwrap_or((i64::from(min_year), years)),
            };
            radices.push((*field, min, count));
        }
        DateCoder {
            pattern: self.clone(),
            radices,
        }
    }
}

/// The fields of one timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Day of week, Sunday = 1 .. Saturday = 7 (the US convention of Java's `e`).
    pub weekday: u32,
    pub day_of_year: u32,
    /// Days since 1970-01-01, from which the week fields are computed when a pattern
    /// reads them (most do not).
    pub days: i64,
}

impl Civil {
    pub(crate) fn from_nanos(nanos: i64) -> Civil {
        let seconds = nanos.div_euclid(NANOS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let of_day = seconds.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            weekday: (days_since_sunday(days) + 1) as u32,
            day_of_year: (days - days_from_civil(year, 1, 1) + 1) as u32,
            days,
        }
    }

    /// The week-based year and the week of it: weeks run from Sunday to Saturday and
    /// belong to the year of their Saturday, so week 1 holds January 1st.
    pub(crate) fn week_year_and_week(&self) -> (i32, u32) {
        let sunday = self.days - days_since_sunday(self.days);
        let week_year = civil_from_days(sunday + 6).0;
        let january_1st = days_from_civil(week_year, 1, 1);
        let first_sunday = january_1st - days_since_sunday(january_1st);
        (week_year, ((sunday - first_sunday) / 7 + 1) as u32)
    }

    /// The week of the month: week 1 holds the 1st, the next starts on the first Sunday.
    pub(crate) fn week_of_month(&self) -> u32 {
        let first_of_month = self.days - i64::from(self.day - 1);
        ((i64::from(self.day) - 1 + days_since_sunday(first_of_month)) / 7 + 1) as u32
    }

    fn field(&self, field: DateField) -> i64 {
        match field {
            DateField::Year => i64::from(self.year),
            DateField::WeekBasedYear => i64::from(self.week_year_and_week().0),
            DateField::Week => i64::from(self.week_year_and_week().1),
            DateField::WeekOfMonth => i64::from(self.week_of_month()),
            DateField::Quarter => i64::from((self.month - 1) / 3 + 1),
            DateField::Month => i64::from(self.month),
            DateField::DayOfYear => i64::from(self.day_of_year),
            DateField::Day => i64::from(self.day),
            DateField::DayOfWeek => i64::from(self.weekday),
            DateField::Hour => i64::from(self.hour),
            DateField::Minute => i64::from(self.minute),
            DateField::Second => i64::from(self.second),
        }
    }
}

/// Days since the Sunday before (0 on a Sunday): 1970-01-01 was a Thursday.
fn days_since_sunday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian: the calendar date
/// of a day number, as date levels read it.
///
/// ```
/// use flowcube_core::cube::date::civil_from_days;
/// assert_eq!(civil_from_days(0), (1970, 1, 1));
/// assert_eq!(civil_from_days(19_086), (2022, 4, 4));
/// assert_eq!(civil_from_days(-1), (1969, 12, 31));
/// ```
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    // Howard Hinnant's algorithm: shift to eras of 400 years starting on March 1st.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian.
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of a timestamp in nanoseconds.
pub(crate) fn year_of(nanos: i64) -> i32 {
    civil_from_days(nanos.div_euclid(NANOS_PER_SECOND * SECONDS_PER_DAY)).0
}

/// A naive date-time from nanoseconds since the epoch.
pub fn naive_from_nanos(nanos: i64) -> Option<chrono::NaiveDateTime> {
    Some(chrono::DateTime::from_timestamp_nanos(nanos).naive_utc())
}

/// Maps timestamps to dense member codes of one pattern and codes back to members.
#[derive(Debug, Clone)]
pub(crate) struct DateCoder {
    pattern: DatePattern,
    /// (field, smallest value, number of values), most significant first.
    radices: Vec<(DateField, i64, u64)>,
}

impl DateCoder {
    /// Whether members are integers (else strings).
    pub(crate) fn is_integer(&self) -> bool {
        self.pattern.is_integer
    }

    /// The number of codes.
    pub(crate) fn cardinality(&self) -> u64 {
        self.radices.iter().map(|r| r.2).product()
    }

    /// The code of a timestamp.
    #[inline]
    pub(crate) fn code(&self, nanos: i64) -> u32 {
        self.code_of(&Civil::from_nanos(nanos))
    }

    /// The code of the date and time `civil`.
    fn code_of(&self, civil: &Civil) -> u32 {
        let mut code: u64 = 0;
        for &(field, min, count) in &self.radices {
            let v = (civil.field(field) - min).clamp(0, count as i64 - 1) as u64;
            code = code * count + v;
        }
        code as u32
    }

    /// The codes of many timestamps.
    ///
    /// Every field a pattern reads is constant within an hour (or a minute, or a second,
    /// for patterns that read those), and naive time has no zone to shift hours against
    /// days. So the codes of a slice whose values span few such buckets come from a table
    /// with one entry per bucket: a division and a lookup per value instead of a calendar
    /// computation.
    pub(crate) fn codes(&self, nanos: &[i64]) -> Vec<u32> {
        let bucket = self.bucket_nanos();
        let (Some(&lo), Some(&hi)) = (nanos.iter().min(), nanos.iter().max()) else {
            return Vec::new();
        };
        let first = lo.div_euclid(bucket);
        match self.bucket_codes(lo, hi, bucket) {
            Some(table) => nanos
                .iter()
                .map(|&t| table[(t.div_euclid(bucket) - first) as usize])
                .collect(),
            None => nanos.iter().map(|&t| self.code(t)).collect(),
        }
    }

    /// The span over which every field of the pattern is constant: an hour, or a minute
    /// or a second for patterns that read those.
    pub(crate) fn bucket_nanos(&self) -> i64 {
        match self.radices.last().map(|r| r.0) {
            Some(DateField::Second) => NANOS_PER_SECOND,
            Some(DateField::Minute) => 60 * NANOS_PER_SECOND,
            _ => 3600 * NANOS_PER_SECOND,
        }
    }

    /// The code of each bucket of `bucket` nanoseconds (a divisor of
    /// [`DateCoder::bucket_nanos`]) from the one holding `lo` to the one holding `hi`;
    /// `None` when there are too many to list.
    pub(crate) fn bucket_codes(&self, lo: i64, hi: i64, bucket: i64) -> Option<Vec<u32>> {
        const MAX_BUCKETS: i64 = 1 << 16;
        let (first, last) = (lo.div_euclid(bucket), hi.div_euclid(bucket));
        if last - first >= MAX_BUCKETS {
            return None;
        }
        // Buckets follow each other within a day: the calendar date is computed once a day.
        let mut day = None;
        let mut civil = Civil::from_nanos(first * bucket);
        let codes = (first..=last).map(|b| {
            let seconds = (b * bucket).div_euclid(NANOS_PER_SECOND);
            let days = seconds.div_euclid(SECONDS_PER_DAY);
            if day == Some(days) {
                let of_day = seconds.rem_euclid(SECONDS_PER_DAY) as u32;
                (civil.hour, civil.minute, civil.second) =
                    (of_day / 3600, of_day / 60 % 60, of_day % 60);
            } else {
                civil = Civil::from_nanos(b * bucket);
                day = Some(days);
            }
            self.code_of(&civil)
        });
        Some(codes.collect())
    }

    /// The member of a code.
    pub(crate) fn member(&self, code: u32) -> Value {
        let mut rest = u64::from(code);
        let mut values = [0i64; 12];
        for &(field, min, count) in self.radices.iter().rev() {
            values[field as usize] = (rest % count) as i64 + min;
            rest /= count;
        }
        let get = |field: DateField| values[field as usize];
        if self.pattern.is_integer {
            return Value::Int(get(self.radices[0].0));
        }
        let mut out = String::new();
        for token in &self.pattern.tokens {
            match token {
                Token::Literal(text) => out.push_str(text),
                Token::Field { letter, width } => {
                    let field = DateField::of_letter(*letter).expect("checked when parsed");
                    format_field(&mut out, *letter, *width, get(field));
                }
            }
        }
        Value::from(out)
    }
}

fn format_field(out: &mut String, letter: char, width: usize, value: i64) {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    match (letter, width) {
        ('y' | 'u' | 'Y', 2) => {
            let _ = write!(out, "{:02}", value.rem_euclid(100));
        }
        ('M' | 'L', 3) => out.push_str(&MONTHS[(value - 1) as usize][..3]),
        ('M' | 'L', 4..) => out.push_str(MONTHS[(value - 1) as usize]),
        ('E', 1..=3) | ('e' | 'c', 3) => out.push_str(&DAYS[(value - 1) as usize][..3]),
        ('E' | 'e' | 'c', 4..) => out.push_str(DAYS[(value - 1) as usize]),
        ('q' | 'Q', 3) => {
            let _ = write!(out, "Q{value}");
        }
        ('q' | 'Q', 4..) => {
            let ordinal = ["1st", "2nd", "3rd", "4th"][(value - 1) as usize];
            let _ = write!(out, "{ordinal} quarter");
        }
        _ => {
            let _ = write!(out, "{value:0width$}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    fn nanos(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ns: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_nano_opt(h, mi, s, ns)
            .unwrap()
            .and_utc()
            .timestamp_nanos_opt()
            .unwrap()
    }

    fn member(pattern: &str, ts: i64) -> Value {
        let coder = DatePattern::parse(pattern).unwrap().coder(2020, 2024);
        let code = coder.code(ts);
        assert!(u64::from(code) < coder.cardinality());
        assert_eq!(
            coder.codes(&[ts, ts - 7_200_000_000_000]),
            [code, coder.code(ts - 7_200_000_000_000)]
        );
        coder.member(code)
    }

    #[test]
    fn single_letters_give_integers_and_others_padded_strings() {
        let ts = nanos(2022, 4, 4, 8, 5, 9, 999_999_999);
        assert_eq!(member("d", ts), Value::Int(4));
        assert_eq!(member("dd", ts), Value::from("04"));
        assert_eq!(member("HH", ts), Value::from("08"));
        assert_eq!(member("H", ts), Value::Int(8));
        assert_eq!(member("y", ts), Value::Int(2022));
        assert_eq!(member("yyyy", ts), Value::from("2022"));
        assert_eq!(member("M", ts), Value::Int(4));
        assert_eq!(member("MM", ts), Value::from("04"));
        assert_eq!(member("mm", ts), Value::from("05"));
        assert_eq!(member("s", ts), Value::Int(9));
        assert_eq!(member("yyyy-MM-dd", ts), Value::from("2022-04-04"));
        assert_eq!(member("yyyy-MM-dd'T'HH", ts), Value::from("2022-04-04T08"));
        assert_eq!(member("MMM", ts), Value::from("Apr"));
        assert_eq!(member("EEEE", ts), Value::from("Monday"));
        assert_eq!(member("e", ts), Value::Int(2));
        assert_eq!(member("Q", ts), Value::Int(2));
        assert_eq!(member("w", ts), Value::Int(15));
        assert_eq!(member("W", ts), Value::Int(2));
        assert_eq!(member("Y", ts), Value::Int(2022));
        assert_eq!(member("YYYY-'W'ww", ts), Value::from("2022-W15"));
    }

    #[test]
    fn weeks_start_on_sunday_and_week_one_holds_january_first() {
        let week = |y, m, d| {
            let ts = nanos(y, m, d, 12, 0, 0, 0);
            (member("Y", ts), member("w", ts), member("W", ts))
        };
        let int = Value::Int;
        // 2022-01-01 is a Saturday: alone in week 1; Sunday the 2nd starts week 2.
        assert_eq!(week(2022, 1, 1), (int(2022), int(1), int(1)));
        assert_eq!(week(2022, 1, 2), (int(2022), int(2), int(2)));
        // Friday 2021-12-31 shares its week with 2022-01-01.
        assert_eq!(week(2021, 12, 31), (int(2022), int(1), int(5)));
        assert_eq!(week(2021, 12, 25), (int(2021), int(52), int(4)));
        // Saturday 2022-12-31 ends the 53rd week of 2022; 2023 starts on a Sunday.
        assert_eq!(week(2022, 12, 31), (int(2022), int(53), int(5)));
        assert_eq!(week(2023, 1, 1), (int(2023), int(1), int(1)));
        // 2024-12-29 (a Sunday) starts the week of 2025-01-01; April 2024 has 5 weeks.
        assert_eq!(week(2024, 12, 29), (int(2025), int(1), int(5)));
        assert_eq!(week(2024, 4, 30), (int(2024), int(18), int(5)));
    }

    #[test]
    fn week_numbers_count_sundays_on_every_day() {
        // Day by day over five years: a week number moves on Sundays only, by one, or back
        // to 1 in the week that holds January 1st; the week of the month likewise on the 1st.
        let mut day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let mut last = Civil::from_nanos(nanos(2019, 12, 31, 0, 0, 0, 0));
        while day.year() < 2025 {
            let ts = day
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_nanos_opt();
            let civil = Civil::from_nanos(ts.unwrap());
            let holds_next_new_year = (1..7).any(|i| (day + chrono::Days::new(i)).ordinal() == 1);
            if civil.weekday != 1 {
                assert_eq!(
                    civil.week_year_and_week(),
                    last.week_year_and_week(),
                    "{day}"
                );
            } else if day.ordinal() == 1 {
                assert_eq!(civil.week_year_and_week(), (day.year(), 1), "{day}");
            } else if holds_next_new_year {
                assert_eq!(civil.week_year_and_week(), (day.year() + 1, 1), "{day}");
            } else {
                assert_eq!(
                    civil.week_year_and_week(),
                    (last.week_year_and_week().0, last.week_year_and_week().1 + 1),
                    "{day}"
                );
            }
            if civil.day == 1 {
                assert_eq!(civil.week_of_month(), 1, "{day}");
            } else if civil.weekday == 1 {
                assert_eq!(civil.week_of_month(), last.week_of_month() + 1, "{day}");
            } else {
                assert_eq!(civil.week_of_month(), last.week_of_month(), "{day}");
            }
            assert!(
                (1..=53).contains(&civil.week_year_and_week().1)
                    && (1..=6).contains(&civil.week_of_month())
            );
            last = civil;
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn fraction_of_a_second_never_moves_a_member() {
        let ts = nanos(2022, 4, 30, 23, 59, 59, 999_999_999);
        assert_eq!(member("d", ts), Value::Int(30));
        assert_eq!(member("HH", ts), Value::from("23"));
        assert_eq!(member("s", ts), Value::Int(59));
    }

    #[test]
    fn civil_round_trips_across_eras() {
        for days in [-800_000, -1, 0, 1, 19_000, 19_086, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() / 86_400,
                days
            );
        }
        let before_epoch = nanos(1969, 12, 31, 23, 0, 0, 1);
        assert_eq!(member("HH", before_epoch), Value::from("23"));
        assert_eq!(member("d", before_epoch), Value::Int(31));
    }

    #[test]
    fn bucket_tables_match_the_code_of_each_bucket() {
        // Across midnight, a month end, a leap day and the epoch, for hour, minute and
        // second buckets.
        let spans = [
            (nanos(2024, 2, 28, 23, 30, 0, 0), 7_200),
            (nanos(2024, 2, 29, 23, 30, 0, 0), 7_200),
            (nanos(2023, 12, 31, 23, 30, 0, 0), 7_200),
            (nanos(1969, 12, 31, 23, 58, 30, 5), 7_200),
        ];
        for pattern in ["yyyy-MM-dd HH", "EEEE H", "D", "mm", "HH:mm:ss", "Q"] {
            let coder = DatePattern::parse(pattern).unwrap().coder(1969, 2024);
            let bucket = coder.bucket_nanos();
            for (start, seconds) in spans {
                let end = start + seconds * NANOS_PER_SECOND;
                let table = coder.bucket_codes(start, end, bucket).unwrap();
                let first = start.div_euclid(bucket);
                let each: Vec<u32> = (first..=end.div_euclid(bucket))
                    .map(|b| coder.code(b * bucket))
                    .collect();
                assert_eq!(table, each, "{pattern}");
            }
        }
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(DatePattern::parse("").is_err());
        assert!(DatePattern::parse("'x").is_err());
        assert!(DatePattern::parse("hh").is_err());
        assert!(DatePattern::parse("--").is_err());
    }
}

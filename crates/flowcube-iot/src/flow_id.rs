//! FlowId derived from EventTime and MacAddress, as the gateways write it.
//!
//! A gateway's EventKey is the event's time to the second, `YYYYMMDDHHMMSS`, a colon, and
//! the device's MAC address without its colons: `20220404080059:001AA0OOZAVP` for
//! `2022-04-04 08:00:59` and `00:1A:A0:OO:ZA:VP`. Stored as written it would be the largest
//! column by far; derived, the table keeps only the keys that do not follow this rule.

use std::fmt::Write as _;

use chrono::{Datelike, Timelike};

use arrow::array::{Array, ArrayRef, AsArray, StringArray, StringBuilder};
use arrow::datatypes::TimestampNanosecondType;
use flowcube_core::StringDerivation;

/// Derives `FlowId` from `EventTime` and `MacAddress`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FlowIdFromTimeAndDevice;

impl StringDerivation for FlowIdFromTimeAndDevice {
    fn inputs(&self) -> Vec<String> {
        vec!["EventTime".into(), "MacAddress".into()]
    }

    fn derive(&self, inputs: &[ArrayRef]) -> StringArray {
        let times = inputs[0].as_primitive::<TimestampNanosecondType>();
        let devices = inputs[1].as_string::<i32>();
        let mut out = StringBuilder::with_capacity(times.len(), times.len() * 28);
        let mut key = String::with_capacity(40);
        for row in 0..times.len() {
            if times.is_null(row) || devices.is_null(row) {
                out.append_null();
                continue;
            }
            key.clear();
            push_compact_time(&mut key, times.value(row));
            key.push(':');
            for part in devices.value(row).split(':') {
                key.push_str(part);
            }
            out.append_value(&key);
        }
        out.finish()
    }
}

/// Writes `nanos` as `YYYYMMDDHHMMSS`, as `%Y%m%d%H%M%S` formats it.
///
/// This runs for every fact of every load, so the digits are written directly. Nanosecond
/// timestamps span the years 1677 to 2262; other years, should the type ever allow them,
/// take chrono's formatting, which signs them.
fn push_compact_time(out: &mut String, nanos: i64) {
    let t = chrono::DateTime::from_timestamp_nanos(nanos).naive_utc();
    let year = match u32::try_from(t.year()) {
        Ok(year) if year <= 9999 => year,
        _ => {
            let _ = write!(out, "{}", t.format("%Y%m%d%H%M%S"));
            return;
        }
    };
    let mut digits = [0u8; 14];
    let fields = [
        (year, 4),
        (t.month(), 2),
        (t.day(), 2),
        (t.hour(), 2),
        (t.minute(), 2),
        (t.second(), 2),
    ];
    let mut end = 0;
    for (mut value, width) in fields {
        end += width;
        for digit in digits[end - width..end].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    out.push_str(std::str::from_utf8(&digits).expect("ASCII digits"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::TimestampNanosecondArray;
    use std::sync::Arc;

    #[test]
    fn derives_the_gateway_key() {
        let t = chrono::NaiveDate::from_ymd_opt(2022, 4, 4)
            .unwrap()
            .and_hms_milli_opt(8, 0, 59, 500)
            .unwrap()
            .and_utc()
            .timestamp_nanos_opt()
            .unwrap();
        let inputs: Vec<ArrayRef> = vec![
            Arc::new(TimestampNanosecondArray::from(vec![t])),
            Arc::new(StringArray::from(vec!["00:1A:A0:OO:ZA:VP"])),
        ];
        let keys = FlowIdFromTimeAndDevice.derive(&inputs);
        assert_eq!(keys.value(0), "20220404080059:001AA0OOZAVP");
    }

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let samples = [
            i64::MIN, // 1677-09-21
            -1,
            0,
            1_649_059_259_999_999_999,
            951_782_400_000_000_000, // 2000-02-29
            i64::MAX,                // 2262-04-11
        ];
        for nanos in samples {
            let mut fast = String::new();
            push_compact_time(&mut fast, nanos);
            let t = chrono::DateTime::from_timestamp_nanos(nanos).naive_utc();
            assert_eq!(fast, t.format("%Y%m%d%H%M%S").to_string(), "{nanos}");
        }
    }
}

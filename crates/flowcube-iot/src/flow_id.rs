//! FlowId derived from EventTime and MacAddress, as the gateways write it.
//!
//! A gateway's EventKey is the event's time to the second, `YYYYMMDDHHMMSS`, a colon, and
//! the device's MAC address without its colons: `20220404080059:001AA0OOZAVP` for
//! `2022-04-04 08:00:59` and `00:1A:A0:OO:ZA:VP`. Stored as written it would be the largest
//! column by far; derived, the table keeps only the keys that do not follow this rule.

use arrow::array::{Array, ArrayRef, AsArray, StringArray, StringBuilder};
use arrow::datatypes::TimestampNanosecondType;
use flowcube_core::cube::date::civil_from_days;
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
        let mut key = Vec::with_capacity(64);
        for row in 0..times.len() {
            if times.is_null(row) || devices.is_null(row) {
                out.append_null();
                continue;
            }
            key.clear();
            push_compact_time(&mut key, times.value(row));
            key.push(b':');
            key.extend(devices.value(row).bytes().filter(|&b| b != b':'));
            // Digits, a colon, and a string's bytes less its (one-byte) colons: UTF-8.
            out.append_value(std::str::from_utf8(&key).expect("valid UTF-8"));
        }
        out.finish()
    }
}

/// Writes `nanos` as `YYYYMMDDHHMMSS`, as `%Y%m%d%H%M%S` formats it.
///
/// This runs for every fact of every load, so the digits are written directly. Nanosecond
/// timestamps span the years 1677 to 2262, so the year always has four digits.
fn push_compact_time(out: &mut Vec<u8>, nanos: i64) {
    let seconds = nanos.div_euclid(1_000_000_000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400) as u32;
    let fields = [
        (year.unsigned_abs(), 4),
        (month, 2),
        (day, 2),
        (of_day / 3600, 2),
        (of_day / 60 % 60, 2),
        (of_day % 60, 2),
    ];
    for (mut value, width) in fields {
        let start = out.len();
        out.resize(start + width, b'0');
        for digit in out[start..].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
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
            let mut fast = Vec::new();
            push_compact_time(&mut fast, nanos);
            let t = chrono::DateTime::from_timestamp_nanos(nanos).naive_utc();
            assert_eq!(
                fast,
                t.format("%Y%m%d%H%M%S").to_string().as_bytes(),
                "{nanos}"
            );
        }
    }
}

//! FlowId derived from EventTime and MacAddress, as the gateways write it.
//!
//! A gateway's EventKey is the event's time to the second, `YYYYMMDDHHMMSS`, a colon, and
//! the device's MAC address without its colons: `20220404080059:001AA0OOZAVP` for
//! `2022-04-04 08:00:59` and `00:1A:A0:OO:ZA:VP`. Stored as written it would be the largest
//! column by far; derived, the table keeps only the keys that do not follow this rule.

use std::fmt::Write as _;

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
            let t = chrono::DateTime::from_timestamp_nanos(times.value(row)).naive_utc();
            let _ = write!(key, "{}", t.format("%Y%m%d%H%M%S"));
            key.push(':');
            key.extend(devices.value(row).chars().filter(|&c| c != ':'));
            out.append_value(&key);
        }
        out.finish()
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
}

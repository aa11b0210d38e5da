//! Arrays of dictionary or level codes, stored as narrow as their values allow.

use arrow::array::{Array, UInt16Array, UInt32Array, UInt8Array};

/// Codes of one column or level for one partition: `u8` when every code is below 256,
/// `u16` below 65,536, else `u32`. Narrow codes keep scans in cache and facts small.
#[derive(Debug, Clone)]
pub(crate) enum CodeArray {
    U8(UInt8Array),
    U16(UInt16Array),
    U32(UInt32Array),
}

impl CodeArray {
    /// The narrowest array holding `codes`.
    pub(crate) fn from_codes(codes: Vec<u32>) -> CodeArray {
        let max = codes.iter().copied().max().unwrap_or(0);
        if max <= u32::from(u8::MAX) {
            CodeArray::U8(
                codes
                    .into_iter()
                    .map(|c| c as u8)
                    .collect::<Vec<_>>()
                    .into(),
            )
        } else if max <= u32::from(u16::MAX) {
            CodeArray::U16(
                codes
                    .into_iter()
                    .map(|c| c as u16)
                    .collect::<Vec<_>>()
                    .into(),
            )
        } else {
            CodeArray::U32(codes.into())
        }
    }

    /// The code of row `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        match self {
            CodeArray::U8(a) => u32::from(a.values()[i]),
            CodeArray::U16(a) => u32::from(a.values()[i]),
            CodeArray::U32(a) => a.values()[i],
        }
    }

    /// Bytes held.
    pub(crate) fn memory_size(&self) -> usize {
        match self {
            CodeArray::U8(a) => a.get_buffer_memory_size(),
            CodeArray::U16(a) => a.get_buffer_memory_size(),
            CodeArray::U32(a) => a.get_buffer_memory_size(),
        }
    }
}

/// Calls `$body` with `$slice` bound to the codes as a slice of their own width.
macro_rules! with_codes {
    ($codes:expr, $slice:ident => $body:expr) => {
        match $codes {
            $crate::table::CodeArray::U8(a) => {
                let $slice: &[u8] = a.values();
                $body
            }
            $crate::table::CodeArray::U16(a) => {
                let $slice: &[u16] = a.values();
                $body
            }
            $crate::table::CodeArray::U32(a) => {
                let $slice: &[u32] = a.values();
                // The body converts codes with `u32::from`, a no-op at this width.
                #[allow(clippy::useless_conversion)]
                let result = $body;
                result
            }
        }
    };
}
pub(crate) use with_codes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_take_the_narrowest_width() {
        assert!(matches!(
            CodeArray::from_codes(vec![0, 255]),
            CodeArray::U8(_)
        ));
        assert!(matches!(
            CodeArray::from_codes(vec![256]),
            CodeArray::U16(_)
        ));
        let wide = CodeArray::from_codes(vec![1, 70_000]);
        assert!(matches!(wide, CodeArray::U32(_)));
        assert_eq!(wide.get(1), 70_000);
    }
}

//! Table-wide string dictionaries with stable codes.

use std::sync::Arc;

use hashbrown::HashMap;

/// The distinct strings of one column, each with a stable `u32` code.
///
/// Codes are given in order of first appearance and never change: an append only adds
/// strings at the end, so partitions written earlier keep their codes.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    values: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
}

impl Dictionary {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of distinct strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the dictionary holds no string.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The code of `value`, if the dictionary has it.
    pub fn code(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// The string of `code`.
    ///
    /// # Panics
    /// When `code` is not a code of this dictionary.
    pub fn value(&self, code: u32) -> &str {
        &self.values[code as usize]
    }

    /// The shared string of `code`.
    pub(crate) fn arc_value(&self, code: u32) -> &Arc<str> {
        &self.values[code as usize]
    }

    /// The code of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        if let Some(code) = self.index.get(value) {
            return *code;
        }
        let code = u32::try_from(self.values.len()).expect("more than 2^32 distinct strings");
        let value: Arc<str> = Arc::from(value);
        self.values.push(Arc::clone(&value));
        self.index.insert(value, code);
        code
    }

    /// All strings, in code order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> {
        self.values.iter().map(|s| &**s)
    }

    /// Approximate heap size in bytes.
    pub fn heap_size(&self) -> usize {
        let strings: usize = self.values.iter().map(|s| s.len() + 16).sum();
        strings + self.values.capacity() * 16 + self.index.capacity() * 24
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_in_order_of_first_appearance() {
        let mut dict = Dictionary::new();
        assert_eq!(dict.intern("b"), 0);
        assert_eq!(dict.intern("a"), 1);
        assert_eq!(dict.intern("b"), 0);
        assert_eq!(dict.code("a"), Some(1));
        assert_eq!(dict.code("c"), None);
        assert_eq!(dict.value(1), "a");
        assert_eq!(dict.values().collect::<Vec<_>>(), ["b", "a"]);
    }
}

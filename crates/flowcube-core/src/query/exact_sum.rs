//! Exact sums of floats, whatever the order of the terms.
//!
//! A sum of floats added one by one depends on their order, and so on how the facts were
//! split between partitions and threads. Each [`ExactSum`] keeps the sum as a few
//! non-overlapping floats whose exact total is the exact sum (Shewchuk's expansions, as in
//! Python's `math.fsum`) and rounds once at the end, so the answer is the correctly
//! rounded sum of the terms in any order.

/// An exact running sum of floats.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ExactSum {
    /// Non-overlapping partial sums, smallest magnitude first.
    partials: Vec<f64>,
    /// The sum of the infinite and NaN terms, 0 while there is none.
    special: f64,
}

impl ExactSum {
    /// Adds a term.
    pub(crate) fn add(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if !hi.is_finite() {
                // TODO: partial sums past f64::MAX give an infinite sum even when later
                // terms would bring it back in range; keep an exponent offset to be exact.
                self.special += hi;
                self.partials.truncate(kept);
                return;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds every term of another sum.
    pub(crate) fn merge(&mut self, other: &ExactSum) {
        for &x in &other.partials {
            self.add(x);
        }
        self.special += other.special;
    }

    /// The correctly rounded sum.
    pub(crate) fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let Some((&last, rest)) = self.partials.split_last() else {
            return 0.0;
        };
        let mut hi = last;
        let mut lo = 0.0;
        let mut j = rest.len();
        while j > 0 {
            j -= 1;
            let x = hi;
            let y = rest[j];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even when the rest lies exactly halfway.
        if j > 0 && ((lo < 0.0 && rest[j - 1] < 0.0) || (lo > 0.0 && rest[j - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sum(terms: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        terms.iter().for_each(|&x| s.add(x));
        s.value()
    }

    #[test]
    fn sums_are_exact() {
        assert_eq!(sum(&[0.1, 0.2, 0.3]), 0.6);
        assert_eq!(sum(&[1e16, 1.0, -1e16, 1.0]), 2.0);
        assert_eq!(sum(&[1e308, 1e308, -1e308]), f64::INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(sum(&[f64::INFINITY, 1.0]), f64::INFINITY);
        assert_eq!(sum(&[]), 0.0);
    }

    proptest! {
        #[test]
        fn order_and_grouping_do_not_matter(
            terms in prop::collection::vec(-1e6f64..1e6, 0..40),
            split in 0usize..40,
        ) {
            let mut reversed = terms.clone();
            reversed.reverse();
            prop_assert_eq!(sum(&terms).to_bits(), sum(&reversed).to_bits());
            let (a, b) = terms.split_at(split.min(terms.len()));
            let mut left = ExactSum::default();
            a.iter().for_each(|&x| left.add(x));
            let mut right = ExactSum::default();
            b.iter().for_each(|&x| right.add(x));
            right.merge(&left);
            prop_assert_eq!(right.value().to_bits(), sum(&terms).to_bits());
        }
    }
}

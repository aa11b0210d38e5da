//! Aggregation of facts into cells: partial states, scanning, merging.
//!
//! Every fact of a partition gets a cell key from the codes of the query's levels (a
//! mixed-radix number, one digit per level). Small key spaces index dense arrays directly;
//! larger ones go through a hash map. Each worker fills one [`Partial`]; partials merge
//! exactly (integer sums in `i128`, distinct members in roaring bitmaps).
//!
//! ```text
//!  level codes   Day=3  Hour=8  Room=0          radices (card + 1):  32  25  6
//!  key = ((3 * 25) + 8) * 6 + 0 = 498            the extra digit is the "total" code
//! ```

use arrow::array::Array;
use hashbrown::HashMap;
use roaring::RoaringBitmap;

use crate::table::{with_codes, CodeArray, ColumnData, Partition};

use super::exact_sum::ExactSum;

use super::encode::LevelEncoder;

/// Key spaces up to this many cells use dense arrays instead of a hash map: at 16 bytes
/// a cell and aggregate, a dense partial stays within a few MiB per worker.
pub(crate) const DENSE_CELLS: u64 = 1 << 18;

/// One aggregate computed per cell from the facts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BaseAggregate {
    /// Facts in the cell.
    Count,
    /// Non-null values of a column.
    NonNull(usize),
    /// Sum of an integer column, exact.
    SumInt(usize),
    /// Sum of a float column.
    SumFloat(usize),
    /// Smallest value of an integer or timestamp column.
    MinInt(usize),
    /// Largest value of an integer or timestamp column.
    MaxInt(usize),
    /// Smallest value of a float column.
    MinFloat(usize),
    /// Largest value of a float column.
    MaxFloat(usize),
    /// Distinct members of an encoder (index into the plan's encoders).
    Distinct(usize),
    /// Sum of an integer column of counts (a count read from an aggregate table).
    SumCount(usize),
    /// An aggregate over the rows that a condition of the plan keeps.
    Filtered {
        inner: Box<BaseAggregate>,
        condition: usize,
    },
}

/// The states of one aggregate, one per cell.
#[derive(Debug, Clone)]
pub(crate) enum States {
    Count(Vec<u64>),
    SumInt(Vec<i128>),
    SumFloat(Vec<ExactSum>),
    MinInt(Vec<i64>),
    MaxInt(Vec<i64>),
    MinFloat(Vec<f64>),
    MaxFloat(Vec<f64>),
    Distinct(Vec<RoaringBitmap>),
    /// Distinct members of a small domain: `words` 64-bit words of bits per cell.
    Bits {
        words: usize,
        bits: Vec<u64>,
    },
}

/// Distinct members of a domain up to this size are bitsets rather than roaring bitmaps:
/// setting a bit is a few instructions, and a cell costs at most 512 bytes.
pub(crate) const BITSET_MEMBERS: u64 = 4096;

impl States {
    fn new(aggregate: &BaseAggregate, distinct_domains: &[u64]) -> States {
        match aggregate {
            BaseAggregate::Filtered { inner, .. } => States::new(inner, distinct_domains),
            BaseAggregate::Count | BaseAggregate::NonNull(_) | BaseAggregate::SumCount(_) => {
                States::Count(Vec::new())
            }
            BaseAggregate::SumInt(_) => States::SumInt(Vec::new()),
            BaseAggregate::SumFloat(_) => States::SumFloat(Vec::new()),
            BaseAggregate::MinInt(_) => States::MinInt(Vec::new()),
            BaseAggregate::MaxInt(_) => States::MaxInt(Vec::new()),
            BaseAggregate::MinFloat(_) => States::MinFloat(Vec::new()),
            BaseAggregate::MaxFloat(_) => States::MaxFloat(Vec::new()),
            BaseAggregate::Distinct(encoder) => {
                let domain = distinct_domains[*encoder];
                if domain <= BITSET_MEMBERS {
                    States::Bits {
                        words: (domain as usize).div_ceil(64).max(1),
                        bits: Vec::new(),
                    }
                } else {
                    States::Distinct(Vec::new())
                }
            }
        }
    }

    fn resize(&mut self, cells: usize) {
        match self {
            States::Count(v) => v.resize(cells, 0),
            States::SumInt(v) => v.resize(cells, 0),
            States::SumFloat(v) => v.resize(cells, ExactSum::default()),
            States::MinInt(v) => v.resize(cells, i64::MAX),
            States::MaxInt(v) => v.resize(cells, i64::MIN),
            States::MinFloat(v) => v.resize(cells, f64::INFINITY),
            States::MaxFloat(v) => v.resize(cells, f64::NEG_INFINITY),
            States::Distinct(v) => v.resize(cells, RoaringBitmap::new()),
            States::Bits { words, bits } => bits.resize(cells * *words, 0),
        }
    }

    /// Folds cell `from` of `other` into cell `to` of `self`, for each `(to, from)`.
    fn merge_pairs(&mut self, other: &States, pairs: &[(u32, u32)]) {
        fn each<T>(a: &mut [T], b: &[T], pairs: &[(u32, u32)], f: impl Fn(&mut T, &T)) {
            for &(to, from) in pairs {
                f(&mut a[to as usize], &b[from as usize]);
            }
        }
        match (self, other) {
            (States::Count(a), States::Count(b)) => each(a, b, pairs, |x, y| *x += y),
            (States::SumInt(a), States::SumInt(b)) => each(a, b, pairs, |x, y| *x += y),
            (States::SumFloat(a), States::SumFloat(b)) => each(a, b, pairs, |x, y| x.merge(y)),
            (States::MinInt(a), States::MinInt(b)) => each(a, b, pairs, |x, y| *x = (*x).min(*y)),
            (States::MaxInt(a), States::MaxInt(b)) => each(a, b, pairs, |x, y| *x = (*x).max(*y)),
            (States::MinFloat(a), States::MinFloat(b)) => each(a, b, pairs, |x, y| *x = x.min(*y)),
            (States::MaxFloat(a), States::MaxFloat(b)) => each(a, b, pairs, |x, y| *x = x.max(*y)),
            (States::Distinct(a), States::Distinct(b)) => each(a, b, pairs, |x, y| *x |= y),
            (States::Bits { words, bits: a }, States::Bits { bits: b, .. }) => {
                let w = *words;
                for &(to, from) in pairs {
                    let (to, from) = (to as usize * w, from as usize * w);
                    for (x, y) in a[to..to + w].iter_mut().zip(&b[from..from + w]) {
                        *x |= y;
                    }
                }
            }
            _ => unreachable!("states of different aggregates"),
        }
    }
}

/// How cell keys map to cell indices.
#[derive(Debug, Clone)]
enum CellIndex {
    /// The key is the index.
    Dense,
    /// A hash map from key to index, and the keys in index order.
    Sparse {
        map: HashMap<u128, u32>,
        keys: Vec<u128>,
    },
}

/// Aggregate states of a set of cells.
#[derive(Debug, Clone)]
pub(crate) struct Partial {
    index: CellIndex,
    cells: usize,
    pub(crate) states: Vec<States>,
}

impl Partial {
    /// An empty partial; `dense_cells` is the size of a dense key space, or `None` for a
    /// hash map.
    pub(crate) fn new(
        aggregates: &[BaseAggregate],
        distinct_domains: &[u64],
        dense_cells: Option<usize>,
    ) -> Partial {
        let mut states: Vec<States> = aggregates
            .iter()
            .map(|a| States::new(a, distinct_domains))
            .collect();
        let (index, cells) = match dense_cells {
            Some(n) => {
                states.iter_mut().for_each(|s| s.resize(n));
                (CellIndex::Dense, n)
            }
            None => (
                CellIndex::Sparse {
                    map: HashMap::new(),
                    keys: Vec::new(),
                },
                0,
            ),
        };
        Partial {
            index,
            cells,
            states,
        }
    }

    /// The index of the cell with `key`, created if new.
    #[inline]
    fn cell(&mut self, key: u128) -> u32 {
        match &mut self.index {
            CellIndex::Dense => key as u32,
            CellIndex::Sparse { map, keys } => *map.entry(key).or_insert_with(|| {
                keys.push(key);
                (keys.len() - 1) as u32
            }),
        }
    }

    fn grow(&mut self) {
        if let CellIndex::Sparse { keys, .. } = &self.index {
            if keys.len() != self.cells {
                self.cells = keys.len();
                let cells = self.cells;
                self.states.iter_mut().for_each(|s| s.resize(cells));
            }
        }
    }

    /// The number of cells held (with facts or, for a dense partial, not).
    pub(crate) fn num_cells(&self) -> usize {
        self.cells
    }

    /// The (key, index) of every cell with facts, `Count` being the first aggregate.
    pub(crate) fn cells_with_facts(&self) -> Vec<(u128, usize)> {
        let States::Count(counts) = &self.states[0] else {
            unreachable!("the first aggregate is the count")
        };
        match &self.index {
            CellIndex::Dense => (0..self.cells)
                .filter(|&c| counts[c] > 0)
                .map(|c| (c as u128, c))
                .collect(),
            CellIndex::Sparse { keys, .. } => keys
                .iter()
                .enumerate()
                .filter(|&(c, _)| counts[c] > 0)
                .map(|(c, &k)| (k, c))
                .collect(),
        }
    }

    /// Folds every cell of `other` into `self` (cells with the same key meet).
    pub(crate) fn merge(&mut self, other: &Partial) {
        let pairs: Vec<(u32, u32)> = match &other.index {
            CellIndex::Dense => (0..other.cells as u32).map(|c| (c, c)).collect(),
            CellIndex::Sparse { keys, .. } => {
                let cells = self.cells_of(keys);
                cells.into_iter().zip(0..).collect()
            }
        };
        self.merge_pairs(other, &pairs);
    }

    /// Folds cells of `other` into the cells of `self` with the given keys: each
    /// `(key, from)` folds cell `from` into the cell with `key`.
    pub(crate) fn merge_keyed(&mut self, other: &Partial, targets: &[(u128, usize)]) {
        let keys: Vec<u128> = targets.iter().map(|&(k, _)| k).collect();
        let cells = self.cells_of(&keys);
        let pairs: Vec<(u32, u32)> = cells
            .into_iter()
            .zip(targets)
            .map(|(to, &(_, from))| (to, from as u32))
            .collect();
        self.merge_pairs(other, &pairs);
    }

    fn merge_pairs(&mut self, other: &Partial, pairs: &[(u32, u32)]) {
        for (mine, theirs) in self.states.iter_mut().zip(&other.states) {
            mine.merge_pairs(theirs, pairs);
        }
    }

    /// Whether keys are cell indices.
    pub(crate) fn is_dense(&self) -> bool {
        matches!(self.index, CellIndex::Dense)
    }

    /// The cell indices of `keys`, cells created as needed.
    pub(crate) fn cells_of(&mut self, keys: &[u128]) -> Vec<u32> {
        let cells = keys.iter().map(|&k| self.cell(k)).collect();
        self.grow();
        cells
    }

    /// Aggregates rows of a partition: row `rows[i]` (or `i` when `rows` is `None`) falls
    /// in cell `cells[i]`.
    pub(crate) fn update(
        &mut self,
        partition: &Partition,
        aggregates: &[BaseAggregate],
        rows: Option<&[u32]>,
        cells: &[u32],
        context: &ScanContext<'_>,
    ) {
        for (state, aggregate) in self.states.iter_mut().zip(aggregates) {
            update(state, aggregate, partition, rows, cells, context);
        }
    }
}

/// What aggregates read besides the partition: level codes and condition tables.
pub(crate) struct ScanContext<'a> {
    /// Per encoder of the plan, its codes for the partition, when needed.
    pub(crate) codes: &'a [Option<CodeArray>],
    /// Per condition of the plan: (encoder, accepted codes) that must all hold.
    pub(crate) conditions: &'a [Vec<(usize, Vec<bool>)>],
}

/// Calls `f(row, cell)` for each selected row.
#[inline(always)]
fn for_each(rows: Option<&[u32]>, cells: &[u32], mut f: impl FnMut(usize, usize)) {
    match rows {
        None => {
            for (r, &c) in cells.iter().enumerate() {
                f(r, c as usize);
            }
        }
        Some(rows) => {
            for (&r, &c) in rows.iter().zip(cells) {
                f(r as usize, c as usize);
            }
        }
    }
}

/// One aggregate over the selected rows.
fn update(
    state: &mut States,
    aggregate: &BaseAggregate,
    partition: &Partition,
    rows: Option<&[u32]>,
    cells: &[u32],
    context: &ScanContext<'_>,
) {
    match (state, aggregate) {
        (state, BaseAggregate::Filtered { inner, condition }) => {
            let condition = &context.conditions[*condition];
            let codes: Vec<&CodeArray> = condition
                .iter()
                .map(|(e, _)| distinct_codes(context.codes, *e))
                .collect();
            let (mut kept_rows, mut kept_cells) = (Vec::new(), Vec::new());
            for_each(rows, cells, |r, c| {
                let holds = condition
                    .iter()
                    .zip(&codes)
                    .all(|((_, accept), codes)| accept[codes.get(r) as usize]);
                if holds {
                    kept_rows.push(r as u32);
                    kept_cells.push(c as u32);
                }
            });
            update(
                state,
                inner,
                partition,
                Some(&kept_rows),
                &kept_cells,
                context,
            );
        }
        (States::Count(counts), BaseAggregate::Count) => {
            for &c in cells {
                counts[c as usize] += 1;
            }
        }
        (States::Count(counts), BaseAggregate::NonNull(column)) => {
            match nulls_of(&partition.columns[*column]) {
                None => {
                    for &c in cells {
                        counts[c as usize] += 1;
                    }
                }
                Some(nulls) => for_each(rows, cells, |r, c| {
                    counts[c] += u64::from(nulls.is_valid(r))
                }),
            }
        }
        (States::Count(counts), BaseAggregate::SumCount(column)) => {
            let ColumnData::Int64(values) = &partition.columns[*column] else {
                unreachable!("a count column holds integers")
            };
            let v = values.values();
            for_each(rows, cells, |r, c| counts[c] += v[r] as u64);
        }
        (States::SumInt(sums), BaseAggregate::SumInt(column)) => {
            let ColumnData::Int64(values) = &partition.columns[*column] else {
                unreachable!("integer sum of a column without integers")
            };
            // Null slots hold some value in Arrow; skip them by their validity.
            let v = values.values();
            match values.nulls().filter(|n| n.null_count() > 0) {
                None => for_each(rows, cells, |r, c| sums[c] += i128::from(v[r])),
                Some(nulls) => for_each(rows, cells, |r, c| {
                    if nulls.is_valid(r) {
                        sums[c] += i128::from(v[r]);
                    }
                }),
            }
        }
        (States::SumFloat(sums), BaseAggregate::SumFloat(column)) => {
            let values = floats(&partition.columns[*column]);
            for_each(rows, cells, |r, c| {
                if values.is_valid(r) {
                    sums[c].add(values.value(r));
                }
            });
        }
        (States::MinInt(m), BaseAggregate::MinInt(column)) => {
            for_each_int(&partition.columns[*column], rows, cells, |c, v| {
                m[c] = m[c].min(v)
            })
        }
        (States::MaxInt(m), BaseAggregate::MaxInt(column)) => {
            for_each_int(&partition.columns[*column], rows, cells, |c, v| {
                m[c] = m[c].max(v)
            })
        }
        (States::MinFloat(m), BaseAggregate::MinFloat(column)) => {
            let values = floats(&partition.columns[*column]);
            for_each(rows, cells, |r, c| {
                if values.is_valid(r) {
                    m[c] = m[c].min(values.value(r));
                }
            });
        }
        (States::MaxFloat(m), BaseAggregate::MaxFloat(column)) => {
            let values = floats(&partition.columns[*column]);
            for_each(rows, cells, |r, c| {
                if values.is_valid(r) {
                    m[c] = m[c].max(values.value(r));
                }
            });
        }
        (States::Distinct(sets), BaseAggregate::Distinct(encoder)) => {
            let codes = distinct_codes(context.codes, *encoder);
            with_codes!(codes, codes => for_each(rows, cells, |r, c| {
                sets[c].insert(u32::from(codes[r]));
            }));
        }
        (States::Bits { words, bits }, BaseAggregate::Distinct(encoder)) => {
            let codes = distinct_codes(context.codes, *encoder);
            let w = *words;
            with_codes!(codes, codes => for_each(rows, cells, |r, c| {
                let code = u32::from(codes[r]) as usize;
                bits[c * w + code / 64] |= 1 << (code % 64);
            }));
        }
        _ => unreachable!("states of another aggregate"),
    }
}

fn distinct_codes(encoder_codes: &[Option<CodeArray>], encoder: usize) -> &CodeArray {
    encoder_codes[encoder]
        .as_ref()
        .expect("codes of a needed encoder are computed")
}

fn floats(column: &ColumnData) -> &arrow::array::Float64Array {
    match column {
        ColumnData::Float64(values) => values,
        _ => unreachable!("a float aggregate of a column without floats"),
    }
}

fn nulls_of(column: &ColumnData) -> Option<&arrow::buffer::NullBuffer> {
    let nulls = match column {
        ColumnData::Codes(_) | ColumnData::Utf8(_) | ColumnData::Derived(_) => None,
        ColumnData::Int64(a) => a.nulls(),
        ColumnData::Float64(a) => a.nulls(),
        ColumnData::Boolean(a) => a.nulls(),
        ColumnData::Timestamp(a) => a.nulls(),
    };
    nulls.filter(|n| n.null_count() > 0)
}

fn for_each_int(
    column: &ColumnData,
    rows: Option<&[u32]>,
    cells: &[u32],
    mut f: impl FnMut(usize, i64),
) {
    let (values, nulls) = match column {
        ColumnData::Int64(a) => (a.values().as_ref(), a.nulls()),
        ColumnData::Timestamp(a) => (a.values().as_ref(), a.nulls()),
        _ => unreachable!("integer min or max of a column without integers"),
    };
    for_each(rows, cells, |r, c| {
        if nulls.is_none_or(|n| n.is_valid(r)) {
            f(c, values[r]);
        }
    });
}

/// The codes of the encoders a scan needs, for one partition.
pub(crate) fn encoder_codes(
    encoders: &[LevelEncoder],
    needed: &[bool],
    partition: &Partition,
) -> Vec<Option<CodeArray>> {
    encoders
        .iter()
        .zip(needed)
        .map(|(e, &n)| n.then(|| e.codes(partition)))
        .collect()
}

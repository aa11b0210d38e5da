//! Execution: facts filtered and aggregated in parallel, totals rolled up, measures
//! evaluated cell by cell, rows filtered and sorted.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow::datatypes::DataType;
use hashbrown::{HashMap, HashSet};
use rayon::prelude::*;

use crate::cube::CubeState;
use crate::error::{Error, Result};
use crate::measure::{BinaryOp, OriginAggregation};
use crate::table::{with_codes, CodeArray, ColumnData, Partition, Table};
use crate::value::Value;

use super::aggregate::{encoder_codes, BaseAggregate, Partial, ScanContext, States, DENSE_CELLS};
use super::encode::LevelEncoder;
use super::plan::{Node, PendingFilter, Plan};
use super::Query;

/// The answer of a query before it becomes a record batch.
#[derive(Debug)]
pub(crate) struct Cells {
    /// One column per level: name, Arrow type, members (null for a total).
    pub(crate) levels: Vec<(String, DataType, Vec<Value>)>,
    /// One column per measure.
    pub(crate) measures: Vec<(String, Column)>,
}

/// The values of one measure, one per cell.
#[derive(Debug, Clone)]
pub(crate) enum Column {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
}

impl Column {
    fn is_null(&self, i: usize) -> bool {
        match self {
            Column::Int(v) => v[i].is_none(),
            Column::Float(v) => v[i].is_none(),
        }
    }

    fn as_f64(&self, i: usize) -> Option<f64> {
        match self {
            Column::Int(v) => v[i].map(|x| x as f64),
            Column::Float(v) => v[i],
        }
    }

    fn take(&self, rows: &[usize]) -> Column {
        match self {
            Column::Int(v) => Column::Int(rows.iter().map(|&r| v[r]).collect()),
            Column::Float(v) => Column::Float(rows.iter().map(|&r| v[r]).collect()),
        }
    }

    /// The same type, all null.
    fn nulls(&self) -> Column {
        match self {
            Column::Int(v) => Column::Int(vec![None; v.len()]),
            Column::Float(v) => Column::Float(vec![None; v.len()]),
        }
    }

    /// `out[i] = self[positions[i]]`, null where there is no position.
    fn gather(&self, positions: &[Option<usize>]) -> Column {
        match self {
            Column::Int(v) => Column::Int(positions.iter().map(|p| p.and_then(|p| v[p])).collect()),
            Column::Float(v) => {
                Column::Float(positions.iter().map(|p| p.and_then(|p| v[p])).collect())
            }
        }
    }

    fn to_floats(&self) -> Vec<Option<f64>> {
        (0..self.len()).map(|i| self.as_f64(i)).collect()
    }

    fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
        }
    }
}

/// A compiled fact filter: a row is kept when its codes are accepted.
enum FactFilter {
    Codes {
        encoder: usize,
        accept: Vec<bool>,
    },
    /// Paths of one length over small domains: a table indexed by the mixed-radix number
    /// of the path's codes.
    DensePaths {
        encoders: Vec<usize>,
        radices: Vec<usize>,
        accept: Vec<bool>,
    },
    Paths {
        encoders: Vec<usize>,
        accept: HashSet<Vec<u32>>,
    },
}

/// The most entries of a dense path table.
const DENSE_PATHS: usize = 1 << 20;

/// Digits of cell keys: one per output slot, `radix = cardinality + 1`, the last digit
/// value standing for the total.
struct KeyLayout {
    radices: Vec<u128>,
    strides: Vec<u128>,
    /// The same in 64 bits, when every key fits there (a division of 128-bit numbers
    /// costs several times one of 64-bit numbers, and digits are read for every cell).
    narrow: Option<(Vec<u64>, Vec<u64>)>,
}

impl KeyLayout {
    fn new(radices: Vec<u128>, strides: Vec<u128>, space: u128) -> KeyLayout {
        let narrow = u64::try_from(space).is_ok().then(|| {
            let narrow = |values: &[u128]| values.iter().map(|&v| v as u64).collect();
            (narrow(&radices), narrow(&strides))
        });
        KeyLayout {
            radices,
            strides,
            narrow,
        }
    }

    fn digit(&self, key: u128, slot: usize) -> u128 {
        match &self.narrow {
            Some((radices, strides)) => u128::from(key as u64 / strides[slot] % radices[slot]),
            None => key / self.strides[slot] % self.radices[slot],
        }
    }

    fn with_total(&self, key: u128, slot: usize) -> u128 {
        let digit = self.digit(key, slot);
        key - digit * self.strides[slot] + (self.radices[slot] - 1) * self.strides[slot]
    }

    fn is_total(&self, key: u128, slot: usize) -> bool {
        self.digit(key, slot) == self.radices[slot] - 1
    }
}

pub(crate) fn evaluate(state: &CubeState, query: &Query) -> Result<Cells> {
    let plan = Plan::new(state, query)?;

    // The first aggregate table that holds everything the query reads, else the facts.
    let mut table = state.table();
    let mut plan = plan;
    for aggregate in state.aggregates() {
        if let Some(served) = plan.served_by(aggregate) {
            plan = served?;
            table = &aggregate.table;
            break;
        }
    }
    tracing::debug!(
        source = table.name(),
        rows = table.num_rows(),
        "query strategy"
    );
    let filters = compile_filters(state, &plan)?;
    let conditions: Vec<Vec<(usize, Vec<bool>)>> = plan
        .conditions
        .iter()
        .map(|all| {
            all.iter()
                .map(|c| {
                    let accept = member_accept(&plan.encoders[c.encoder], &c.members, c.negate);
                    (c.encoder, accept)
                })
                .collect()
        })
        .collect();

    // Key layout over the output slots.
    let mut radices = Vec::with_capacity(plan.slots.len());
    for slot in &plan.slots {
        radices.push(u128::from(plan.encoders[slot.encoder].cardinality()) + 1);
    }
    let mut strides = vec![1u128; radices.len()];
    let mut space: u128 = 1;
    for i in (0..radices.len()).rev() {
        strides[i] = space;
        space = space
            .checked_mul(radices[i])
            .ok_or_else(|| Error::TooManyCells {
                requested: "more than 2^128".into(),
                limit: u64::MAX,
            })?;
    }
    let layout = KeyLayout::new(radices, strides, space);
    let dense = (space <= u128::from(DENSE_CELLS)).then_some(space as usize);

    let domains: Vec<u64> = plan.encoders.iter().map(|e| e.cardinality() + 1).collect();

    // Which encoders a scan must compute.
    let mut needed = vec![false; plan.encoders.len()];
    for slot in &plan.slots {
        needed[slot.encoder] = true;
    }
    for aggregate in &plan.aggregates {
        let mut aggregate = aggregate;
        while let BaseAggregate::Filtered { inner, .. } = aggregate {
            aggregate = inner;
        }
        if let BaseAggregate::Distinct(e) = aggregate {
            needed[*e] = true;
        }
    }
    for condition in plan.conditions.iter().flatten() {
        needed[condition.encoder] = true;
    }
    for filter in &filters {
        match filter {
            FactFilter::Codes { encoder, .. } => needed[*encoder] = true,
            FactFilter::Paths { encoders, .. } | FactFilter::DensePaths { encoders, .. } => {
                encoders.iter().for_each(|&e| needed[e] = true)
            }
        }
    }

    // Scan: one partial per worker, merged pairwise.
    let partitions = table.partitions();
    let whole = table_buckets(&plan, &filters, table);
    let chunk = (partitions.len() / (4 * rayon::current_num_threads()).max(1)).max(1);
    let scan = |mut partial: Partial, partition: &Partition| {
        scan_partition(
            &plan,
            &filters,
            whole.as_ref(),
            &conditions,
            &layout,
            &needed,
            partition,
            &mut partial,
        );
        partial
    };
    // Cardinality guard: once a worker holds more cells than allowed, every worker
    // stops and the query is refused, before the cells exhaust memory.
    let max_cells = query.max_cells.unwrap_or(super::DEFAULT_MAX_CELLS);
    let exceeded = std::sync::atomic::AtomicBool::new(false);
    let guarded = |partial: Partial, partition: &Partition| {
        if exceeded.load(std::sync::atomic::Ordering::Relaxed) {
            return partial;
        }
        let partial = scan(partial, partition);
        if dense.is_none() && partial.num_cells() as u64 > max_cells {
            exceeded.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        partial
    };
    let leaves = partitions
        .par_iter()
        .with_min_len(chunk)
        .fold(|| Partial::new(&plan.aggregates, &domains, dense), guarded)
        .reduce_with(|mut a, b| {
            a.merge(&b);
            a
        })
        .unwrap_or_else(|| Partial::new(&plan.aggregates, &domains, dense));
    let too_many = || Error::TooManyCells {
        requested: format!("more than {max_cells}"),
        limit: max_cells,
    };
    if exceeded.into_inner() {
        return Err(too_many());
    }
    tracing::debug!(
        dense = dense.is_some(),
        partitions = partitions.len(),
        "scanned"
    );

    // Totals: every combination of depths per axis, rolled up from the leaf cells.
    let leaf_cells = leaves.cells_with_facts();
    if leaf_cells.len() as u64 > max_cells {
        return Err(too_many());
    }
    let full: Vec<usize> = plan.axes.iter().map(|a| a.slots.len()).collect();
    let requested = if query.include_totals {
        patterns(&plan)
    } else {
        vec![plan.axes.iter().map(|a| a.visible).collect()]
    };
    // Parent values read cells one level up, which the output may not include.
    let mut needed_patterns = requested.clone();
    for &axis in &plan.parent_axes {
        for pattern in &requested {
            if pattern[axis] > 0 {
                let mut parent = pattern.clone();
                parent[axis] -= 1;
                if !needed_patterns.contains(&parent) {
                    needed_patterns.push(parent);
                }
            }
        }
    }
    // Origin measures read cells at their finer levels under each requested cell.
    for levels in &plan.origins {
        for pattern in &requested {
            let finer = origin_pattern(pattern, levels);
            if !needed_patterns.contains(&finer) {
                needed_patterns.push(finer);
            }
        }
    }
    let (all, mut cells) = if needed_patterns == [full.clone()] {
        (leaves, leaf_cells)
    } else {
        // The totals' digits are part of the dense key space, so dense leaves roll up into
        // dense totals, without hashing.
        let mut all = Partial::new(&plan.aggregates, &domains, dense);
        let mut targets = Vec::with_capacity(leaf_cells.len());
        for pattern in &needed_patterns {
            targets.clear();
            for &(key, index) in &leaf_cells {
                let mut total = key;
                for (axis, &kept) in plan.axes.iter().zip(pattern) {
                    for &slot in &axis.slots[kept..] {
                        total = layout.with_total(total, slot);
                    }
                }
                targets.push((total, index));
            }
            all.merge_keyed(&leaves, &targets);
        }
        let cells = all.cells_with_facts();
        (all, cells)
    };
    // Key order makes the evaluation independent of how the scan was split.
    cells.sort_unstable_by_key(|&(key, _)| key);
    let mut pattern = vec![0; plan.axes.len()];
    let is_output: Vec<bool> = cells
        .iter()
        .map(|&(key, _)| {
            for (depth, axis) in pattern.iter_mut().zip(&plan.axes) {
                *depth = axis
                    .slots
                    .iter()
                    .take_while(|&&s| !layout.is_total(key, s))
                    .count();
            }
            requested.contains(&pattern)
        })
        .collect();

    // Measures, then result filters and rows with nothing to show.
    let evaluator = Evaluator {
        plan: &plan,
        layout: &layout,
        partial: &all,
        cells: &cells,
        positions: std::sync::OnceLock::new(),
    };
    let mut measures = Vec::with_capacity(plan.measures.len());
    for (name, node) in &plan.measures {
        measures.push((name.clone(), evaluator.eval(node, name)?));
    }
    let mut keep: Vec<usize> = (0..cells.len())
        .filter(|&i| is_output[i])
        .filter(|&i| measures.is_empty() || measures.iter().any(|(_, c)| !c.is_null(i)))
        .collect();
    for (name, node, comparison, bound) in &plan.result_filters {
        let values = evaluator.eval(node, name)?;
        keep.retain(|&i| {
            values
                .as_f64(i)
                .is_some_and(|v| comparison.holds(v, *bound))
        });
    }

    // Order: by levels in query order, totals first, members naturally. Each slot's
    // digits are ranked once by their members (rank 0 is the total); rows then sort by
    // their ranks, packed into one number when they fit in 64 bits.
    let visible_slots: Vec<usize> = plan
        .axes
        .iter()
        .flat_map(|a| a.slots[..a.visible].iter().copied())
        .collect();
    let mut ranks: Vec<Vec<u32>> = Vec::with_capacity(visible_slots.len());
    let mut members: Vec<Vec<Value>> = Vec::with_capacity(visible_slots.len());
    for &s in &visible_slots {
        let slot = &plan.slots[s];
        let encoder = &plan.encoders[slot.encoder];
        let digits: Vec<u32> = keep
            .iter()
            .map(|&i| layout.digit(cells[i].0, s) as u32)
            .collect();
        let mut distinct = digits.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let total = (layout.radices[s] - 1) as u32;
        let mut named: Vec<(Value, u32)> = distinct
            .iter()
            .filter(|&&d| d != total)
            .map(|&d| (encoder.member(d), d))
            .collect();
        named.sort_by(|a, b| a.0.natural_cmp(&b.0));
        let mut rank_of: HashMap<u32, u32> = HashMap::with_capacity(named.len() + 1);
        rank_of.insert(total, 0);
        let mut by_rank = Vec::with_capacity(named.len() + 1);
        by_rank.push(Value::Null);
        for (rank, (member, digit)) in named.into_iter().enumerate() {
            rank_of.insert(digit, rank as u32 + 1);
            by_rank.push(member);
        }
        ranks.push(digits.iter().map(|d| rank_of[d]).collect());
        members.push(by_rank);
    }
    let mut order: Vec<usize> = (0..keep.len()).collect();
    let packed: Option<Vec<u64>> = {
        let widths: Vec<u64> = members.iter().map(|m| m.len() as u64).collect();
        widths
            .iter()
            .try_fold(1u64, |space, &w| space.checked_mul(w))
            .map(|_| {
                (0..keep.len())
                    .map(|row| {
                        ranks
                            .iter()
                            .zip(&widths)
                            .fold(0u64, |key, (r, &w)| key * w + u64::from(r[row]))
                    })
                    .collect()
            })
    };
    match &packed {
        Some(keys) => order.sort_unstable_by_key(|&row| keys[row]),
        None => order.sort_unstable_by(|&a, &b| {
            ranks
                .iter()
                .map(|r| r[a].cmp(&r[b]))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        }),
    }

    let levels = visible_slots
        .iter()
        .map(|&s| &plan.slots[s])
        .zip(ranks.iter().zip(&members))
        .map(|(slot, (ranks, by_rank))| {
            (
                slot.name.clone(),
                plan.encoders[slot.encoder].data_type(),
                order
                    .iter()
                    .map(|&row| by_rank[ranks[row] as usize].clone())
                    .collect(),
            )
        })
        .collect();
    let rows: Vec<usize> = order.iter().map(|&i| keep[i]).collect();
    let measures = measures
        .into_iter()
        .map(|(name, column)| (name, column.take(&rows)))
        .collect();
    Ok(Cells { levels, measures })
}

/// Per code of `encoder`: whether a fact with that member is kept.
fn member_accept(encoder: &LevelEncoder, members: &[Value], negate: bool) -> Vec<bool> {
    let mut accept = vec![negate; encoder.cardinality() as usize + 1];
    for member in members {
        for code in encoder.codes_of(member) {
            accept[code as usize] = !negate;
        }
    }
    accept
}

/// A path filter whose paths all have the hierarchy's length, as a dense table when the
/// domains are small enough.
fn dense_paths(plan: &Plan, encoders: &[usize], accept: &HashSet<Vec<u32>>) -> Option<FactFilter> {
    if accept.iter().any(|p| p.len() != encoders.len()) {
        return None;
    }
    let radices: Vec<usize> = encoders
        .iter()
        .map(|&e| plan.encoders[e].cardinality() as usize + 1)
        .collect();
    let size = radices.iter().try_fold(1usize, |a, &r| {
        a.checked_mul(r).filter(|&n| n <= DENSE_PATHS)
    })?;
    let mut table = vec![false; size];
    for path in accept {
        let index = path
            .iter()
            .zip(&radices)
            .fold(0, |i, (&c, &r)| i * r + c as usize);
        table[index] = true;
    }
    Some(FactFilter::DensePaths {
        encoders: encoders.to_vec(),
        radices,
        accept: table,
    })
}

/// The pattern an origin measure reads under a cell of `pattern`: each origin axis at
/// least as deep as its origin level.
fn origin_pattern(pattern: &[usize], levels: &[(usize, usize)]) -> Vec<usize> {
    let mut finer = pattern.to_vec();
    for &(axis, depth) in levels {
        finer[axis] = finer[axis].max(depth);
    }
    finer
}

/// The depth patterns: for each axis, how many of its levels a cell keeps.
fn patterns(plan: &Plan) -> Vec<Vec<usize>> {
    let mut patterns = vec![Vec::new()];
    for axis in &plan.axes {
        patterns = patterns
            .into_iter()
            .flat_map(|p| {
                (0..=axis.visible).map(move |kept| {
                    let mut next = p.clone();
                    next.push(kept);
                    next
                })
            })
            .collect();
    }
    patterns
}

fn compile_filters(state: &CubeState, plan: &Plan) -> Result<Vec<FactFilter>> {
    let mut filters = Vec::new();
    for pending in &plan.fact_filters {
        filters.push(match pending {
            PendingFilter::Members {
                encoder,
                members,
                negate,
            } => FactFilter::Codes {
                encoder: *encoder,
                accept: member_accept(&plan.encoders[*encoder], members, *negate),
            },
            PendingFilter::Paths { encoders, paths } => {
                let mut accept = HashSet::new();
                for path in paths {
                    // Every code combination the path's members name.
                    let mut prefixes: Vec<Vec<u32>> = vec![Vec::new()];
                    for (member, &e) in path.iter().zip(encoders) {
                        let codes = plan.encoders[e].codes_of(member);
                        prefixes = prefixes
                            .into_iter()
                            .flat_map(|p| {
                                codes.iter().map(move |&c| {
                                    let mut next = p.clone();
                                    next.push(c);
                                    next
                                })
                            })
                            .collect();
                    }
                    accept.extend(prefixes);
                }
                dense_paths(plan, encoders, &accept).unwrap_or_else(|| FactFilter::Paths {
                    encoders: encoders.clone(),
                    accept,
                })
            }
            PendingFilter::MemberMeasure {
                encoder,
                level,
                measure,
                comparison,
                bound,
            } => {
                let members = evaluate(
                    state,
                    &Query::new()
                        .measures([measure.as_str()])
                        .levels([level.as_str()]),
                )?;
                let (_, _, names) = &members.levels[0];
                let values = &members.measures[0].1;
                let e = &plan.encoders[*encoder];
                let mut accept = vec![false; e.cardinality() as usize + 1];
                for (i, member) in names.iter().enumerate() {
                    if values
                        .as_f64(i)
                        .is_some_and(|v| comparison.holds(v, *bound))
                    {
                        for code in e.codes_of(member) {
                            accept[code as usize] = true;
                        }
                    }
                }
                FactFilter::Codes {
                    encoder: *encoder,
                    accept,
                }
            }
        });
    }
    Ok(filters)
}

#[allow(clippy::too_many_arguments)] // the parts of one scan, each read-only but the partial
fn scan_partition(
    plan: &Plan,
    filters: &[FactFilter],
    whole: Option<&DateBuckets>,
    conditions: &[Vec<(usize, Vec<bool>)>],
    layout: &KeyLayout,
    needed: &[bool],
    partition: &Partition,
    partial: &mut Partial,
) {
    let pruned = match prune(plan, filters, partition, whole) {
        Pruning::Skip => return,
        Pruning::Rows(rows) => Some(rows),
        Pruning::Scan => None,
    };
    let codes = encoder_codes(&plan.encoders, needed, partition);
    let rows = pruned.or_else(|| selected_rows(filters, &codes, partition));
    let rows = rows.as_deref();
    let n = rows.map_or(partition.len, <[u32]>::len);
    let code = |e: usize| codes[e].as_ref().expect("needed codes are computed");

    // Cell keys from the slot codes: dense keys are the cells themselves.
    let cells = if partial.is_dense() {
        let mut keys = vec![0u32; n];
        for (s, slot) in plan.slots.iter().enumerate() {
            let stride = layout.strides[s] as u32;
            with_codes!(code(slot.encoder), c => add_keys(&mut keys, c, rows, stride));
        }
        keys
    } else {
        let mut keys = vec![0u128; n];
        for (s, slot) in plan.slots.iter().enumerate() {
            let stride = layout.strides[s];
            with_codes!(code(slot.encoder), c => add_keys(&mut keys, c, rows, stride));
        }
        partial.cells_of(&keys)
    };
    let context = ScanContext {
        codes: &codes,
        conditions,
    };
    partial.update(partition, &plan.aggregates, rows, &cells, &context);
}

/// Adds `code * stride` of each selected row to its key.
#[inline]
fn add_keys<K, C>(keys: &mut [K], codes: &[C], rows: Option<&[u32]>, stride: K)
where
    K: Copy + From<u32> + std::ops::Mul<Output = K> + std::ops::AddAssign,
    C: Copy + Into<u32>,
{
    match rows {
        None => {
            for (key, &c) in keys.iter_mut().zip(codes) {
                *key += K::from(c.into()) * stride;
            }
        }
        Some(rows) => {
            for (key, &r) in keys.iter_mut().zip(rows) {
                *key += K::from(codes[r as usize].into()) * stride;
            }
        }
    }
}

/// Whether a filter accepts the codes of its encoders (`None` when they are out of range).
type CodesTest<'a> = dyn Fn(&[u32]) -> Option<bool> + 'a;

/// Which time buckets of a partition pass filters that read only date levels of one
/// timestamp column.
struct DateBuckets {
    /// The timestamp column read.
    column: usize,
    /// The bucket width in nanoseconds: every date level read is constant within a bucket.
    width: i64,
    /// The index (time / width) of the bucket holding the partition's first time.
    first: i64,
    /// Whether every date filter keeps bucket `first + i`.
    passes: Vec<bool>,
    /// Whether the date filters are all the filters, so that the buckets that pass hold
    /// exactly the rows kept.
    every_filter: bool,
}

/// The buckets of the partition's time range and whether the filters that read date levels
/// keep each; `None` when no filter reads date levels only, they read several columns,
/// the column has nulls, or the range has too many buckets to list.
fn date_buckets(plan: &Plan, filters: &[FactFilter], partition: &Partition) -> Option<DateBuckets> {
    date_buckets_in(
        plan,
        filters,
        |column| partition_range(partition, column),
        None,
    )
}

/// The buckets of the time range of every partition, and whether the filters keep each:
/// computed once per query, then cut to each partition's range with
/// [`DateBuckets::within`].
fn table_buckets(plan: &Plan, filters: &[FactFilter], table: &Table) -> Option<DateBuckets> {
    if filters.is_empty() {
        return None;
    }
    let range = |column: usize| {
        table
            .partitions()
            .iter()
            .filter_map(|p| p.time_ranges[column])
            .reduce(|(lo, hi), (l, h)| (lo.min(l), hi.max(h)))
    };
    date_buckets_in(plan, filters, range, Some(table))
}

/// The time range of a timestamp column of a partition, when it has values and no null.
fn partition_range(partition: &Partition, column: usize) -> Option<(i64, i64)> {
    let ColumnData::Timestamp(ts) = &partition.columns[column] else {
        return None;
    };
    if arrow::array::Array::null_count(ts) > 0 {
        return None;
    }
    partition.time_ranges[column]
}

impl DateBuckets {
    /// The buckets of a partition's time range, cut from these.
    fn within(&self, partition: &Partition) -> Option<DateBuckets> {
        let (lo, hi) = partition_range(partition, self.column)?;
        let first = lo.div_euclid(self.width);
        let start = usize::try_from(first - self.first).ok()?;
        let end = usize::try_from(hi.div_euclid(self.width) - self.first).ok()?;
        Some(DateBuckets {
            column: self.column,
            width: self.width,
            first,
            passes: self.passes.get(start..=end)?.to_vec(),
            every_filter: self.every_filter,
        })
    }
}

/// The buckets of the range that `range` gives for the filters' timestamp column, and
/// whether the filters keep each; `None` as [`date_buckets`] says.
fn date_buckets_in(
    plan: &Plan,
    filters: &[FactFilter],
    range: impl FnOnce(usize) -> Option<(i64, i64)>,
    table: Option<&Table>,
) -> Option<DateBuckets> {
    // The filters that read only date levels of one column; the others are left to the
    // scan.
    let date_filters: Vec<&FactFilter> = filters
        .iter()
        .filter(|filter| reads_dates_only(plan, filter))
        .collect();
    let every_filter = date_filters.len() == filters.len();
    let mut tests: Vec<(&[usize], Box<CodesTest<'_>>)> = Vec::with_capacity(filters.len());
    for filter in date_filters {
        match filter {
            FactFilter::Codes { encoder, accept } => tests.push((
                std::slice::from_ref(encoder),
                Box::new(move |codes: &[u32]| accept.get(codes[0] as usize).copied()),
            )),
            FactFilter::DensePaths {
                encoders,
                radices,
                accept,
            } => tests.push((
                encoders,
                Box::new(move |codes: &[u32]| {
                    let index = codes
                        .iter()
                        .zip(radices)
                        .fold(0, |i, (&c, &r)| i * r + c as usize);
                    accept.get(index).copied()
                }),
            )),
            FactFilter::Paths { .. } => return None,
        }
    }
    let dates = tests
        .iter()
        .flat_map(|(encoders, _)| encoders.iter())
        .map(|&e| plan.encoders[e].date())
        .collect::<Option<Vec<_>>>()?;
    let column = dates.first()?.0;
    if dates.iter().any(|(c, _)| *c != column) {
        return None;
    }
    let (lo, hi) = range(column)?;
    let width = dates.iter().map(|(_, d)| d.bucket_nanos()).min()?;
    let mut passes: Option<Vec<bool>> = None;
    for (encoders, test) in &tests {
        let tables = encoders
            .iter()
            .map(|&e| {
                let encoder = &plan.encoders[e];
                let (_, coder) = encoder.date().expect("a date encoder");
                let list = || coder.bucket_codes(lo, hi, width);
                match (table, encoder.date_cache_key()) {
                    // The table's whole range: the same at every query of this snapshot.
                    (Some(table), Some(key)) => {
                        table.bucket_codes((key.clone(), width, lo, hi), list)
                    }
                    _ => list().map(Arc::new),
                }
            })
            .collect::<Option<Vec<_>>>()?;
        let mut codes = vec![0; tables.len()];
        let kept = (0..tables[0].len()).map(|b| {
            for (code, table) in codes.iter_mut().zip(&tables) {
                *code = table[b];
            }
            test(&codes).unwrap_or(true)
        });
        passes = Some(match passes {
            None => kept.collect(),
            Some(passes) => passes.into_iter().zip(kept).map(|(a, b)| a && b).collect(),
        });
    }
    Some(DateBuckets {
        column,
        width,
        first: lo.div_euclid(width),
        passes: passes?,
        every_filter,
    })
}

/// Whether a filter reads date levels only, so that time buckets can judge it.
fn reads_dates_only(plan: &Plan, filter: &FactFilter) -> bool {
    match filter {
        FactFilter::Codes { encoder, .. } => plan.encoders[*encoder].date().is_some(),
        FactFilter::DensePaths { encoders, .. } => {
            encoders.iter().all(|&e| plan.encoders[e].date().is_some())
        }
        FactFilter::Paths { .. } => false,
    }
}

/// Whether a filter on a dictionary level keeps none of the codes that a partition's rows
/// can hold, judged from the partition's smallest and largest code: a room's file fills
/// partitions of that room alone, and aggregate rows come in member order.
fn keeps_no_member(plan: &Plan, filter: &FactFilter, partition: &Partition) -> bool {
    let FactFilter::Codes { encoder, accept } = filter else {
        return false;
    };
    let LevelEncoder::Dictionary { column, .. } = &plan.encoders[*encoder] else {
        return false;
    };
    let Some((lo, hi)) = partition.code_ranges[*column] else {
        return false;
    };
    accept
        .get(lo as usize..=hi as usize)
        .is_some_and(|codes| !codes.contains(&true))
}

/// What the filters tell of a partition before any level code is read.
enum Pruning {
    /// No row passes.
    Skip,
    /// Exactly these rows pass, found by binary search on time-sorted rows.
    Rows(Vec<u32>),
    /// Rows must be tested one by one.
    Scan,
}

/// Judges a partition from its time range: a partition none of whose time buckets passes
/// the date filters is skipped; when every filter reads date levels only and the rows are
/// in time order, the buckets that pass become row ranges found by binary search.
///
/// `whole` holds the buckets of the whole table when they could be listed
/// ([`table_buckets`]); they are cut to the partition's range rather than listed again.
fn prune(
    plan: &Plan,
    filters: &[FactFilter],
    partition: &Partition,
    whole: Option<&DateBuckets>,
) -> Pruning {
    if filters.is_empty() {
        return Pruning::Scan;
    }
    if filters
        .iter()
        .any(|filter| keeps_no_member(plan, filter, partition))
    {
        return Pruning::Skip;
    }
    let buckets = whole
        .and_then(|whole| whole.within(partition))
        .or_else(|| date_buckets(plan, filters, partition));
    let Some(buckets) = buckets else {
        return Pruning::Scan;
    };
    if !buckets.passes.contains(&true) {
        return Pruning::Skip;
    }
    if !buckets.every_filter {
        // Other filters read other levels: their rows are found by the scan.
        return Pruning::Scan;
    }
    let ColumnData::Timestamp(ts) = &partition.columns[buckets.column] else {
        return Pruning::Scan;
    };
    if partition.deleted.is_some() || !partition.time_sorted[buckets.column] {
        return Pruning::Scan;
    }
    let times = ts.values();
    let mut rows = Vec::new();
    let mut b = 0;
    while b < buckets.passes.len() {
        if !buckets.passes[b] {
            b += 1;
            continue;
        }
        // A run of passing buckets is one span of time, so one range of rows.
        let end = b + buckets.passes[b..].iter().take_while(|&&p| p).count();
        let span = [b, end].map(|i| (buckets.first + i as i64).checked_mul(buckets.width));
        let [Some(start_time), Some(end_time)] = span else {
            return Pruning::Scan;
        };
        let from = times.partition_point(|&t| t < start_time);
        let to = times.partition_point(|&t| t < end_time);
        rows.extend(from as u32..to as u32);
        b = end;
    }
    Pruning::Rows(rows)
}

/// The live rows of a partition that every filter keeps; `None` when that is every row.
fn selected_rows(
    filters: &[FactFilter],
    codes: &[Option<CodeArray>],
    partition: &Partition,
) -> Option<Vec<u32>> {
    if filters.is_empty() && partition.deleted.is_none() {
        return None;
    }
    let code = |e: usize| codes[e].as_ref().expect("needed codes are computed");
    let mut rows: Vec<u32> = match &partition.deleted {
        None => (0..partition.len as u32).collect(),
        Some(deleted) => (0..partition.len as u32)
            .filter(|r| !deleted.contains(*r))
            .collect(),
    };
    for filter in filters {
        match filter {
            FactFilter::Codes { encoder, accept } => {
                with_codes!(code(*encoder), c => rows.retain(|&r| accept[u32::from(c[r as usize]) as usize]));
            }
            FactFilter::DensePaths {
                encoders,
                radices,
                accept,
            } => {
                let mut index = vec![0usize; rows.len()];
                for (&e, &radix) in encoders.iter().zip(radices) {
                    with_codes!(code(e), c => {
                        for (i, &r) in index.iter_mut().zip(&rows) {
                            *i = *i * radix + u32::from(c[r as usize]) as usize;
                        }
                    });
                }
                let mut kept = index.iter().map(|&i| accept[i]);
                rows.retain(|_| kept.next().unwrap_or(false));
            }
            FactFilter::Paths { encoders, accept } => {
                let columns: Vec<&CodeArray> = encoders.iter().map(|&e| code(e)).collect();
                // Paths may be shorter than the hierarchy: try each prefix length.
                let lengths: HashSet<usize> = accept.iter().map(Vec::len).collect();
                let mut path = Vec::with_capacity(columns.len());
                rows.retain(|&r| {
                    path.clear();
                    path.extend(columns.iter().map(|c| c.get(r as usize)));
                    lengths.iter().any(|&n| accept.contains(&path[..n]))
                });
            }
        }
    }
    Some(rows)
}

/// The rows of every partition that the level filters keep, in table order.
pub(crate) fn select_rows(state: &CubeState, filters: &[super::Filter]) -> Result<Vec<Vec<u32>>> {
    let query = Query {
        filters: filters.to_vec(),
        ..Query::default()
    };
    let plan = Plan::new(state, &query)?;
    let filters = compile_filters(state, &plan)?;
    let mut needed = vec![false; plan.encoders.len()];
    for filter in &filters {
        match filter {
            FactFilter::Codes { encoder, .. } => needed[*encoder] = true,
            FactFilter::Paths { encoders, .. } | FactFilter::DensePaths { encoders, .. } => {
                encoders.iter().for_each(|&e| needed[e] = true)
            }
        }
    }
    let partitions = state.table().partitions();
    let whole = table_buckets(&plan, &filters, state.table());
    Ok(partitions
        .par_iter()
        .map(|partition| {
            match prune(&plan, &filters, partition, whole.as_ref()) {
                Pruning::Skip => return Vec::new(),
                Pruning::Rows(rows) => return rows,
                Pruning::Scan => {}
            }
            let codes = encoder_codes(&plan.encoders, &needed, partition);
            selected_rows(&filters, &codes, partition)
                .unwrap_or_else(|| (0..partition.len as u32).collect())
        })
        .collect())
}

struct Evaluator<'a> {
    plan: &'a Plan,
    layout: &'a KeyLayout,
    partial: &'a Partial,
    cells: &'a [(u128, usize)],
    /// Cell key to position in `cells`, built when a parent value needs it.
    positions: std::sync::OnceLock<HashMap<u128, usize>>,
}

impl Evaluator<'_> {
    fn counts(&self, state: usize) -> Vec<u64> {
        let States::Count(v) = &self.partial.states[state] else {
            unreachable!("a count state")
        };
        self.cells.iter().map(|&(_, i)| v[i]).collect()
    }

    fn eval(&self, node: &Node, name: &str) -> Result<Column> {
        let overflow = || Error::Overflow {
            measure: name.to_owned(),
        };
        Ok(match node {
            // No fact (possible only for a filtered count) gives null, not 0.
            Node::Count(state) => Column::Int(
                self.counts(*state)
                    .into_iter()
                    .map(|c| (c > 0).then_some(c as i64))
                    .collect(),
            ),
            Node::Sum { sum, non_null, .. } => {
                let counts = self.counts(*non_null);
                let rows = self.cells.iter().zip(&counts);
                match &self.partial.states[*sum] {
                    States::SumInt(v) => Column::Int(
                        rows.map(|(&(_, i), &n)| match n {
                            0 => Ok(None),
                            _ => i64::try_from(v[i]).map(Some).map_err(|_| overflow()),
                        })
                        .collect::<Result<_>>()?,
                    ),
                    States::SumFloat(v) => Column::Float(
                        rows.map(|(&(_, i), &n)| (n > 0).then(|| v[i].value()))
                            .collect(),
                    ),
                    _ => unreachable!("a sum state"),
                }
            }
            Node::Mean { sum, non_null, .. } => {
                let counts = self.counts(*non_null);
                let rows = self.cells.iter().zip(&counts);
                // The mean divides the exact sum, never a rounded one.
                let sum_of = |i: usize| match &self.partial.states[*sum] {
                    States::SumInt(v) => v[i] as f64,
                    States::SumFloat(v) => v[i].value(),
                    _ => unreachable!("a sum state"),
                };
                Column::Float(
                    rows.map(|(&(_, i), &n)| (n > 0).then(|| sum_of(i) / n as f64))
                        .collect(),
                )
            }
            Node::Extreme { state, non_null } => {
                let counts = self.counts(*non_null);
                let pick = |i: usize| counts[i] > 0;
                match &self.partial.states[*state] {
                    States::MinInt(v) | States::MaxInt(v) => Column::Int(
                        self.cells
                            .iter()
                            .enumerate()
                            .map(|(k, &(_, i))| pick(k).then_some(v[i]))
                            .collect(),
                    ),
                    States::MinFloat(v) | States::MaxFloat(v) => Column::Float(
                        self.cells
                            .iter()
                            .enumerate()
                            .map(|(k, &(_, i))| pick(k).then_some(v[i]))
                            .collect(),
                    ),
                    _ => unreachable!("an extreme state"),
                }
            }
            Node::Distinct(state) => Column::Int(match &self.partial.states[*state] {
                States::Distinct(sets) => self
                    .cells
                    .iter()
                    .map(|&(_, i)| Some(sets[i].len() as i64).filter(|&n| n > 0))
                    .collect(),
                States::Bits { words, bits } => self
                    .cells
                    .iter()
                    .map(|&(_, i)| {
                        let cell = &bits[i * words..(i + 1) * words];
                        let n: i64 = cell.iter().map(|w| i64::from(w.count_ones())).sum();
                        (n > 0).then_some(n)
                    })
                    .collect(),
                _ => unreachable!("a distinct state"),
            }),
            Node::Constant(x) => Column::Float(vec![Some(*x); self.cells.len()]),
            Node::Siblings { child, axis } => {
                let child = self.eval(child, name)?;
                match axis {
                    None => child,
                    Some(axis) => self.siblings(&child, *axis).ok_or_else(overflow)?,
                }
            }
            Node::Binary { op, left, right } => {
                let left = self.eval(left, name)?;
                let right = self.eval(right, name)?;
                binary(*op, &left, &right).ok_or_else(overflow)?
            }
            Node::Compare {
                comparison,
                left,
                right,
            } => {
                let left = self.eval(left, name)?;
                let right = self.eval(right, name)?;
                Column::Int(
                    (0..self.cells.len())
                        .map(|i| match (left.as_f64(i), right.as_f64(i)) {
                            (Some(a), Some(b)) => Some(i64::from(comparison.holds(a, b))),
                            _ => None,
                        })
                        .collect(),
                )
            }
            Node::Where {
                condition,
                then,
                otherwise,
            } => {
                let condition = self.eval(condition, name)?;
                let holds: Vec<bool> = (0..self.cells.len())
                    .map(|i| condition.as_f64(i).is_some_and(|x| x != 0.0 && !x.is_nan()))
                    .collect();
                match (self.eval(then, name)?, self.eval(otherwise, name)?) {
                    (Column::Int(a), Column::Int(b)) => Column::Int(
                        holds
                            .iter()
                            .enumerate()
                            .map(|(i, &h)| if h { a[i] } else { b[i] })
                            .collect(),
                    ),
                    (a, b) => Column::Float(
                        holds
                            .iter()
                            .enumerate()
                            .map(|(i, &h)| if h { a.as_f64(i) } else { b.as_f64(i) })
                            .collect(),
                    ),
                }
            }
            Node::Parent { child, axis } => {
                let child = self.eval(child, name)?;
                let Some(axis) = axis else {
                    return Ok(child.nulls());
                };
                let slots = &self.plan.axes[*axis].slots;
                let positions = self.positions.get_or_init(|| {
                    self.cells
                        .iter()
                        .enumerate()
                        .map(|(i, &(key, _))| (key, i))
                        .collect()
                });
                let parents: Vec<Option<usize>> = self
                    .cells
                    .iter()
                    .map(|&(key, _)| {
                        let kept = slots
                            .iter()
                            .take_while(|&&s| !self.layout.is_total(key, s))
                            .count();
                        (kept > 0)
                            .then(|| positions.get(&self.layout.with_total(key, slots[kept - 1])))
                            .flatten()
                            .copied()
                    })
                    .collect();
                child.gather(&parents)
            }
            Node::Origin {
                child,
                levels,
                aggregation,
            } => {
                let child = self.eval(child, name)?;
                self.origin(&child, levels, *aggregation)
                    .ok_or_else(overflow)?
            }
            Node::Cumulative {
                child,
                axis,
                depth,
                window,
            } => {
                let child = self.eval(child, name)?;
                match axis {
                    None => child,
                    Some(axis) => self
                        .cumulative(&child, *axis, *depth, *window)
                        .ok_or_else(overflow)?,
                }
            }
        })
    }

    /// The pattern of a cell: per axis, how many levels it keeps.
    fn pattern_of(&self, key: u128) -> Vec<usize> {
        self.plan
            .axes
            .iter()
            .map(|a| {
                a.slots
                    .iter()
                    .take_while(|&&s| !self.layout.is_total(key, s))
                    .count()
            })
            .collect()
    }

    /// A key with the slots past `pattern` made totals.
    fn project(&self, key: u128, pattern: &[usize]) -> u128 {
        let mut key = key;
        for (axis, &kept) in self.plan.axes.iter().zip(pattern) {
            for &slot in &axis.slots[kept..] {
                if !self.layout.is_total(key, slot) {
                    key = self.layout.with_total(key, slot);
                }
            }
        }
        key
    }

    /// `child` at the origin levels under each cell, combined; `None` on overflow.
    fn origin(
        &self,
        child: &Column,
        levels: &[(usize, usize)],
        aggregation: OriginAggregation,
    ) -> Option<Column> {
        let patterns: Vec<Vec<usize>> = self
            .cells
            .iter()
            .map(|&(key, _)| self.pattern_of(key))
            .collect();
        // For each cell pattern, the values of the finer cells under each cell.
        let mut under: HashMap<(Vec<usize>, u128), Vec<usize>> = HashMap::new();
        let mut wanted: Vec<Vec<usize>> = patterns.clone();
        wanted.sort();
        wanted.dedup();
        for pattern in &wanted {
            let finer = origin_pattern(pattern, levels);
            for (j, &(key, _)) in self.cells.iter().enumerate() {
                if patterns[j] == finer {
                    under
                        .entry((pattern.clone(), self.project(key, pattern)))
                        .or_default()
                        .push(j);
                }
            }
        }
        let values = |i: usize| -> Vec<usize> {
            under
                .get(&(patterns[i].clone(), self.cells[i].0))
                .cloned()
                .unwrap_or_default()
        };
        Some(match (child, aggregation) {
            (
                Column::Int(v),
                OriginAggregation::Sum | OriginAggregation::Min | OriginAggregation::Max,
            ) => {
                let mut out = Vec::with_capacity(v.len());
                for i in 0..v.len() {
                    let found: Vec<i64> = values(i).iter().filter_map(|&j| v[j]).collect();
                    out.push(match aggregation {
                        _ if found.is_empty() => None,
                        OriginAggregation::Sum => Some(
                            i64::try_from(found.iter().map(|&x| i128::from(x)).sum::<i128>())
                                .ok()?,
                        ),
                        OriginAggregation::Min => found.iter().min().copied(),
                        _ => found.iter().max().copied(),
                    });
                }
                Column::Int(out)
            }
            (child, _) => Column::Float(
                (0..child.len())
                    .map(|i| {
                        let found: Vec<f64> =
                            values(i).iter().filter_map(|&j| child.as_f64(j)).collect();
                        if found.is_empty() {
                            return None;
                        }
                        Some(match aggregation {
                            OriginAggregation::Sum => {
                                let mut sum = super::exact_sum::ExactSum::default();
                                found.iter().for_each(|&x| sum.add(x));
                                sum.value()
                            }
                            OriginAggregation::Min => {
                                found.iter().copied().fold(f64::INFINITY, f64::min)
                            }
                            OriginAggregation::Max => {
                                found.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                            }
                            OriginAggregation::Mean => {
                                let mut sum = super::exact_sum::ExactSum::default();
                                found.iter().for_each(|&x| sum.add(x));
                                sum.value() / found.len() as f64
                            }
                        })
                    })
                    .collect(),
            ),
        })
    }

    /// Running sums of `child` along level `depth` of `axis`; `None` on overflow.
    fn cumulative(
        &self,
        child: &Column,
        axis: usize,
        depth: usize,
        window: Option<usize>,
    ) -> Option<Column> {
        let slots = &self.plan.axes[axis].slots;
        let Some(&slot) = slots.get(depth) else {
            return Some(child.clone());
        };
        let encoder = &self.plan.encoders[self.plan.slots[slot].encoder];

        // Cells where the level is the deepest expressed one, grouped by their other
        // coordinates, each group in the natural order of the level's members.
        let mut groups: HashMap<u128, Vec<(Value, usize)>> = HashMap::new();
        for (i, &(key, _)) in self.cells.iter().enumerate() {
            let kept = slots
                .iter()
                .take_while(|&&s| !self.layout.is_total(key, s))
                .count();
            if kept == depth + 1 {
                let member = encoder.member(self.layout.digit(key, slot) as u32);
                groups
                    .entry(self.layout.with_total(key, slot))
                    .or_default()
                    .push((member, i));
            }
        }
        let mut out = child.clone();
        for group in groups.values_mut() {
            group.sort_by(|a, b| a.0.natural_cmp(&b.0));
            let positions: Vec<usize> = group.iter().map(|&(_, i)| i).collect();
            for (n, &i) in positions.iter().enumerate() {
                let from = window.map_or(0, |w| (n + 1).saturating_sub(w));
                let range = &positions[from..=n];
                match (&mut out, child) {
                    (Column::Int(out), Column::Int(values)) => {
                        let present: Vec<i64> = range.iter().filter_map(|&j| values[j]).collect();
                        out[i] = if present.is_empty() {
                            None
                        } else {
                            let sum: i128 = present.iter().map(|&v| i128::from(v)).sum();
                            Some(i64::try_from(sum).ok()?)
                        };
                    }
                    (Column::Float(out), Column::Float(values)) => {
                        let present: Vec<f64> = range.iter().filter_map(|&j| values[j]).collect();
                        out[i] = (!present.is_empty()).then(|| present.iter().sum());
                    }
                    _ => unreachable!("a copy has its original's type"),
                }
            }
        }
        Some(out)
    }

    /// The sum of `child` over each cell's siblings on `axis`; `None` on overflow.
    fn siblings(&self, child: &Column, axis: usize) -> Option<Column> {
        let slots = &self.plan.axes[axis].slots;
        // The group of a cell: its key with the axis's deepest kept level as a total,
        // tagged with that depth so that it never meets a real cell of the parent depth.
        let groups: Vec<Option<(u128, usize)>> = self
            .cells
            .iter()
            .map(|&(key, _)| {
                let kept = slots
                    .iter()
                    .take_while(|&&s| !self.layout.is_total(key, s))
                    .count();
                (kept > 0).then(|| (self.layout.with_total(key, slots[kept - 1]), kept))
            })
            .collect();
        match child {
            Column::Int(values) => {
                let mut sums: HashMap<(u128, usize), Option<i128>> = HashMap::new();
                for (group, value) in groups.iter().zip(values) {
                    if let (Some(g), Some(v)) = (group, value) {
                        let entry = sums.entry(*g).or_insert(Some(0));
                        *entry = entry.map(|s| s + i128::from(*v));
                    }
                }
                let mut out = Vec::with_capacity(values.len());
                for (group, value) in groups.iter().zip(values) {
                    out.push(match group {
                        None => *value,
                        Some(g) => match sums.get(g).copied().flatten() {
                            None => None,
                            Some(s) => Some(i64::try_from(s).ok()?),
                        },
                    });
                }
                Some(Column::Int(out))
            }
            Column::Float(values) => {
                let mut sums: HashMap<(u128, usize), f64> = HashMap::new();
                for (group, value) in groups.iter().zip(values) {
                    if let (Some(g), Some(v)) = (group, value) {
                        *sums.entry(*g).or_insert(0.0) += v;
                    }
                }
                Some(Column::Float(
                    groups
                        .iter()
                        .zip(values)
                        .map(|(group, value)| match group {
                            None => *value,
                            Some(g) => sums.get(g).copied(),
                        })
                        .collect(),
                ))
            }
        }
    }
}

/// Arithmetic with the reference engine's rules: null if either side is null; a division
/// is always a float (IEEE: 0/0 is NaN); integer `+ - *` stay exact and `None` on overflow.
fn binary(op: BinaryOp, left: &Column, right: &Column) -> Option<Column> {
    if let (Column::Int(a), Column::Int(b), false) = (left, right, op == BinaryOp::Divide) {
        let mut out = Vec::with_capacity(a.len());
        for (x, y) in a.iter().zip(b) {
            out.push(match (x, y) {
                (Some(x), Some(y)) => Some(match op {
                    BinaryOp::Add => x.checked_add(*y)?,
                    BinaryOp::Subtract => x.checked_sub(*y)?,
                    BinaryOp::Multiply => x.checked_mul(*y)?,
                    BinaryOp::Divide => unreachable!("divisions are floats"),
                }),
                _ => None,
            });
        }
        return Some(Column::Int(out));
    }
    let (a, b) = (left.to_floats(), right.to_floats());
    Some(Column::Float(
        a.iter()
            .zip(&b)
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => Some(match op {
                    BinaryOp::Add => x + y,
                    BinaryOp::Subtract => x - y,
                    BinaryOp::Multiply => x * y,
                    BinaryOp::Divide => x / y,
                }),
                _ => None,
            })
            .collect(),
    ))
}

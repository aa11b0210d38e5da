//! Planning: names resolved to hierarchies, encoders and aggregates; measures compiled.

use crate::cube::aggregate::AggregateTable;
use crate::cube::{CubeState, LevelSource};
use crate::error::{Error, Result};
use crate::measure::{BinaryOp, Measure, OriginAggregation};
use crate::table::ColumnKind;

use super::aggregate::BaseAggregate;
use super::encode::LevelEncoder;
use super::{Comparison, Filter, Query};
use crate::value::Value;

/// A measure compiled against a query's aggregates.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Count(usize),
    Sum {
        sum: usize,
        non_null: usize,
    },
    Mean {
        sum: usize,
        non_null: usize,
    },
    Extreme {
        state: usize,
        non_null: usize,
    },
    Distinct(usize),
    Siblings {
        child: Box<Node>,
        /// The query axis of the hierarchy, if the query has it.
        axis: Option<usize>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Node>,
        right: Box<Node>,
    },
    Constant(f64),
    Compare {
        comparison: Comparison,
        left: Box<Node>,
        right: Box<Node>,
    },
    Where {
        condition: Box<Node>,
        then: Box<Node>,
        otherwise: Box<Node>,
    },
    Parent {
        child: Box<Node>,
        axis: Option<usize>,
    },
    Cumulative {
        child: Box<Node>,
        axis: Option<usize>,
        depth: usize,
        window: Option<usize>,
    },
    Origin {
        child: Box<Node>,
        /// Per origin level: (axis, number of its slots the level needs).
        levels: Vec<(usize, usize)>,
        aggregation: OriginAggregation,
    },
}

/// A restriction of the facts a filtered measure reads: members of one level.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PendingCondition {
    pub(crate) encoder: usize,
    pub(crate) members: Vec<Value>,
    pub(crate) negate: bool,
}

/// A hierarchy of the query and how deep it goes.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    /// The slots of its levels, coarsest first.
    pub(crate) slots: Vec<usize>,
    /// How many of them the answer shows; the others serve origin measures only.
    pub(crate) visible: usize,
}

/// One output level column.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) name: String,
    pub(crate) encoder: usize,
}

/// A level filter before its members are turned into codes.
#[derive(Debug, Clone)]
pub(crate) enum PendingFilter {
    Members {
        encoder: usize,
        members: Vec<Value>,
        negate: bool,
    },
    Paths {
        encoders: Vec<usize>,
        paths: Vec<Vec<Value>>,
    },
    MemberMeasure {
        encoder: usize,
        level: String,
        measure: String,
        comparison: Comparison,
        bound: f64,
    },
}

/// Everything a query needs, resolved.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) sources: Vec<LevelSource>,
    pub(crate) encoders: Vec<LevelEncoder>,
    pub(crate) axes: Vec<Axis>,
    pub(crate) slots: Vec<Slot>,
    pub(crate) aggregates: Vec<BaseAggregate>,
    pub(crate) measures: Vec<(String, Node)>,
    pub(crate) result_filters: Vec<(String, Node, Comparison, f64)>,
    pub(crate) fact_filters: Vec<PendingFilter>,
    /// Conjunctions of conditions, referred to by filtered aggregates.
    pub(crate) conditions: Vec<Vec<PendingCondition>>,
    /// Axes whose parent cells some measure reads.
    pub(crate) parent_axes: Vec<usize>,
    /// The (axis, slots needed) of each origin measure.
    pub(crate) origins: Vec<Vec<(usize, usize)>>,
}

impl Plan {
    pub(crate) fn new(state: &CubeState, query: &Query) -> Result<Plan> {
        let mut builder = Builder::new(state);

        // Axes: one per hierarchy, as deep as its deepest requested level, and deeper (or
        // hidden) where an origin measure evaluates at finer levels.
        let mut depths: Vec<(usize, usize, usize)> = Vec::new();
        for name in &query.levels {
            let (h, l) = state.level_index(name)?;
            match depths.iter_mut().find(|(hh, _, _)| *hh == h) {
                Some(entry) => {
                    entry.1 = entry.1.max(l + 1);
                    entry.2 = entry.1;
                }
                None => depths.push((h, l + 1, l + 1)),
            }
        }
        let mut origin_levels = Vec::new();
        let names = query
            .measures
            .iter()
            .chain(query.filters.iter().filter_map(|f| match f {
                Filter::Measure { measure, .. } => Some(measure),
                _ => None,
            }));
        for name in names {
            collect_origin_levels(
                state,
                &Measure::named(name),
                &mut Vec::new(),
                &mut origin_levels,
            )?;
        }
        for (h, l) in origin_levels {
            match depths.iter_mut().find(|(hh, _, _)| *hh == h) {
                Some(entry) => entry.2 = entry.2.max(l + 1),
                None => depths.push((h, 0, l + 1)),
            }
        }
        let mut axes = Vec::new();
        let mut slots = Vec::new();
        for &(h, visible, scanned) in &depths {
            let hierarchy = &state.hierarchies()[h];
            let mut axis_slots = Vec::new();
            for level in &hierarchy.levels[..scanned] {
                let encoder = builder.source(&level.source);
                axis_slots.push(slots.len());
                slots.push(Slot {
                    name: level.name.clone(),
                    encoder,
                });
            }
            axes.push(Axis {
                slots: axis_slots,
                visible,
            });
        }
        builder.axes_hierarchies = depths.iter().map(|(h, _, _)| *h).collect();

        let mut measures = Vec::new();
        for name in &query.measures {
            let node = builder.named(name, &mut Vec::new())?;
            measures.push((name.clone(), node));
        }

        let mut result_filters = Vec::new();
        let mut fact_filters = Vec::new();
        for filter in &query.filters {
            match filter {
                Filter::Members {
                    level,
                    members,
                    negate,
                } => {
                    let (h, l) = state.level_index(level)?;
                    let encoder = builder.source(&state.hierarchies()[h].levels[l].source);
                    fact_filters.push(PendingFilter::Members {
                        encoder,
                        members: members.clone(),
                        negate: *negate,
                    });
                }
                Filter::Paths { hierarchy, paths } => {
                    let h = state.hierarchy_index(hierarchy)?;
                    let levels = &state.hierarchies()[h].levels;
                    let longest = paths.iter().map(Vec::len).max().unwrap_or(0);
                    if longest > levels.len() {
                        return Err(Error::InvalidQuery(format!(
                            "a path of {longest} members on hierarchy {hierarchy:?}, which has {} levels",
                            levels.len()
                        )));
                    }
                    let encoders = levels[..longest]
                        .iter()
                        .map(|l| builder.source(&l.source))
                        .collect();
                    fact_filters.push(PendingFilter::Paths {
                        encoders,
                        paths: paths.clone(),
                    });
                }
                Filter::MemberMeasure {
                    level,
                    measure,
                    comparison,
                    bound,
                } => {
                    let (h, l) = state.level_index(level)?;
                    state.measure(measure)?;
                    let encoder = builder.source(&state.hierarchies()[h].levels[l].source);
                    fact_filters.push(PendingFilter::MemberMeasure {
                        encoder,
                        level: level.clone(),
                        measure: measure.clone(),
                        comparison: *comparison,
                        bound: *bound,
                    });
                }
                Filter::Measure {
                    measure,
                    comparison,
                    bound,
                } => {
                    let node = builder.named(measure, &mut Vec::new())?;
                    result_filters.push((measure.clone(), node, *comparison, *bound));
                }
            }
        }

        let encoders = builder
            .sources
            .iter()
            .map(|s| LevelEncoder::new(state.table(), s))
            .collect::<Result<Vec<_>>>()?;
        Ok(Plan {
            sources: builder.sources,
            encoders,
            axes,
            slots,
            aggregates: builder.aggregates,
            measures,
            result_filters,
            fact_filters,
            conditions: builder.conditions,
            parent_axes: builder.parent_axes,
            origins: builder.origins,
        })
    }
}

/// The (hierarchy, level) of every origin measure's levels that `measure` reaches.
fn collect_origin_levels(
    state: &CubeState,
    measure: &Measure,
    stack: &mut Vec<String>,
    out: &mut Vec<(usize, usize)>,
) -> Result<()> {
    match measure {
        Measure::Named(name) => {
            if stack.iter().any(|n| n == name) {
                return Err(Error::CyclicMeasure(name.clone()));
            }
            let inner = state.measure(name)?.clone();
            stack.push(name.clone());
            collect_origin_levels(state, &inner, stack, out)?;
            stack.pop();
        }
        Measure::Origin {
            measure, levels, ..
        } => {
            for level in levels {
                out.push(state.level_index(level)?);
            }
            collect_origin_levels(state, measure, stack, out)?;
        }
        Measure::SiblingsSum { measure, .. }
        | Measure::Filtered { measure, .. }
        | Measure::ParentValue { measure, .. }
        | Measure::Cumulative { measure, .. } => collect_origin_levels(state, measure, stack, out)?,
        Measure::Binary { left, right, .. } | Measure::Compare { left, right, .. } => {
            collect_origin_levels(state, left, stack, out)?;
            collect_origin_levels(state, right, stack, out)?;
        }
        Measure::Where {
            condition,
            then,
            otherwise,
        } => {
            for m in [condition, then, otherwise] {
                collect_origin_levels(state, m, stack, out)?;
            }
        }
        Measure::Count
        | Measure::Sum(_)
        | Measure::Mean(_)
        | Measure::Min(_)
        | Measure::Max(_)
        | Measure::DistinctCount(_)
        | Measure::Constant(_) => {}
    }
    Ok(())
}

impl Plan {
    /// The same plan over an aggregate table, if that table holds everything it reads.
    pub(crate) fn served_by(&self, aggregate: &AggregateTable) -> Option<Result<Plan>> {
        let sources = self
            .sources
            .iter()
            .map(|s| aggregate.level_source(s))
            .collect::<Option<Vec<_>>>()?;
        let aggregates = self
            .aggregates
            .iter()
            .map(|a| aggregate.aggregate(a))
            .collect::<Option<Vec<_>>>()?;
        let encoders = match sources
            .iter()
            .map(|s| LevelEncoder::new(&aggregate.table, s))
            .collect::<Result<Vec<_>>>()
        {
            Ok(encoders) => encoders,
            Err(e) => return Some(Err(e)),
        };
        Some(Ok(Plan {
            sources,
            encoders,
            axes: self.axes.clone(),
            slots: self.slots.clone(),
            aggregates,
            measures: self.measures.clone(),
            result_filters: self.result_filters.clone(),
            fact_filters: self.fact_filters.clone(),
            conditions: self.conditions.clone(),
            parent_axes: self.parent_axes.clone(),
            origins: self.origins.clone(),
        }))
    }
}

/// Checks that the measure `name` of `state` compiles.
pub(crate) fn check_measure(state: &CubeState, name: &str) -> Result<()> {
    let mut builder = Builder::new(state);
    builder.named(name, &mut Vec::new()).map(|_| ())
}

struct Builder<'a> {
    state: &'a CubeState,
    sources: Vec<LevelSource>,
    aggregates: Vec<BaseAggregate>,
    axes_hierarchies: Vec<usize>,
    conditions: Vec<Vec<PendingCondition>>,
    /// The conditions of the filtered measures being compiled, innermost last.
    condition_stack: Vec<PendingCondition>,
    parent_axes: Vec<usize>,
    origins: Vec<Vec<(usize, usize)>>,
}

impl<'a> Builder<'a> {
    fn new(state: &'a CubeState) -> Builder<'a> {
        Builder {
            state,
            sources: Vec::new(),
            aggregates: vec![BaseAggregate::Count],
            axes_hierarchies: Vec::new(),
            conditions: Vec::new(),
            condition_stack: Vec::new(),
            parent_axes: Vec::new(),
            origins: Vec::new(),
        }
    }

    fn level(&mut self, name: &str) -> Result<(usize, usize, usize)> {
        let (h, l) = self.state.level_index(name)?;
        let encoder = self.source(&self.state.hierarchies()[h].levels[l].source.clone());
        Ok((h, l, encoder))
    }

    fn source(&mut self, source: &LevelSource) -> usize {
        match self.sources.iter().position(|s| s == source) {
            Some(i) => i,
            None => {
                self.sources.push(source.clone());
                self.sources.len() - 1
            }
        }
    }

    fn aggregate(&mut self, aggregate: BaseAggregate) -> usize {
        let aggregate = if self.condition_stack.is_empty() {
            aggregate
        } else {
            let condition = match self
                .conditions
                .iter()
                .position(|c| *c == self.condition_stack)
            {
                Some(i) => i,
                None => {
                    self.conditions.push(self.condition_stack.clone());
                    self.conditions.len() - 1
                }
            };
            BaseAggregate::Filtered {
                inner: Box::new(aggregate),
                condition,
            }
        };
        match self.aggregates.iter().position(|a| *a == aggregate) {
            Some(i) => i,
            None => {
                self.aggregates.push(aggregate);
                self.aggregates.len() - 1
            }
        }
    }

    fn named(&mut self, name: &str, stack: &mut Vec<String>) -> Result<Node> {
        if stack.iter().any(|n| n == name) {
            return Err(Error::CyclicMeasure(name.to_owned()));
        }
        let measure = self.state.measure(name)?.clone();
        stack.push(name.to_owned());
        let node = self.compile(&measure, stack);
        stack.pop();
        node
    }

    /// The column and whether it holds floats, for a numeric aggregate.
    fn numeric(&self, column: &str, what: &str) -> Result<(usize, bool)> {
        let table = self.state.table();
        let c = table.column_index(column)?;
        match table.columns()[c].kind {
            ColumnKind::Int64 => Ok((c, false)),
            ColumnKind::Float64 => Ok((c, true)),
            _ => Err(Error::ColumnType {
                column: column.to_owned(),
                actual: table.schema().field(c).data_type().clone(),
                expected: format!("a numeric column for {what}"),
            }),
        }
    }

    fn compile(&mut self, measure: &Measure, stack: &mut Vec<String>) -> Result<Node> {
        Ok(match measure {
            Measure::Count => Node::Count(self.aggregate(BaseAggregate::Count)),
            Measure::Sum(column) | Measure::Mean(column) => {
                let (c, float) = self.numeric(column, "a sum or mean")?;
                let sum = self.aggregate(if float {
                    BaseAggregate::SumFloat(c)
                } else {
                    BaseAggregate::SumInt(c)
                });
                let non_null = self.aggregate(BaseAggregate::NonNull(c));
                if matches!(measure, Measure::Sum(_)) {
                    Node::Sum { sum, non_null }
                } else {
                    Node::Mean { sum, non_null }
                }
            }
            Measure::Min(column) | Measure::Max(column) => {
                // TODO: min and max of timestamp and string columns.
                let (c, float) = self.numeric(column, "a min or max")?;
                let is_min = matches!(measure, Measure::Min(_));
                let state = self.aggregate(match (is_min, float) {
                    (true, false) => BaseAggregate::MinInt(c),
                    (false, false) => BaseAggregate::MaxInt(c),
                    (true, true) => BaseAggregate::MinFloat(c),
                    (false, true) => BaseAggregate::MaxFloat(c),
                });
                let non_null = self.aggregate(BaseAggregate::NonNull(c));
                Node::Extreme { state, non_null }
            }
            Measure::DistinctCount(column) => {
                let c = self.state.table().column_index(column)?;
                let encoder = self.source(&LevelSource::Column(c));
                Node::Distinct(self.aggregate(BaseAggregate::Distinct(encoder)))
            }
            Measure::Named(name) => self.named(name, stack)?,
            Measure::SiblingsSum { measure, hierarchy } => {
                let h = self.state.hierarchy_index(hierarchy)?;
                Node::Siblings {
                    child: Box::new(self.compile(measure, stack)?),
                    axis: self.axes_hierarchies.iter().position(|&a| a == h),
                }
            }
            Measure::Binary { op, left, right } => Node::Binary {
                op: *op,
                left: Box::new(self.compile(left, stack)?),
                right: Box::new(self.compile(right, stack)?),
            },
            Measure::Constant(x) => Node::Constant(*x),
            Measure::Filtered {
                measure,
                level,
                members,
                negate,
            } => {
                let (_, _, encoder) = self.level(level)?;
                self.condition_stack.push(PendingCondition {
                    encoder,
                    members: members.clone(),
                    negate: *negate,
                });
                let node = self.compile(measure, stack);
                self.condition_stack.pop();
                node?
            }
            Measure::Compare {
                comparison,
                left,
                right,
            } => Node::Compare {
                comparison: *comparison,
                left: Box::new(self.compile(left, stack)?),
                right: Box::new(self.compile(right, stack)?),
            },
            Measure::Where {
                condition,
                then,
                otherwise,
            } => Node::Where {
                condition: Box::new(self.compile(condition, stack)?),
                then: Box::new(self.compile(then, stack)?),
                otherwise: Box::new(self.compile(otherwise, stack)?),
            },
            Measure::ParentValue { measure, hierarchy } => {
                let h = self.state.hierarchy_index(hierarchy)?;
                let axis = self.axes_hierarchies.iter().position(|&a| a == h);
                if let Some(a) = axis {
                    if !self.parent_axes.contains(&a) {
                        self.parent_axes.push(a);
                    }
                }
                Node::Parent {
                    child: Box::new(self.compile(measure, stack)?),
                    axis,
                }
            }
            Measure::Origin {
                measure,
                levels,
                aggregation,
            } => {
                let mut targets: Vec<(usize, usize)> = Vec::new();
                for level in levels {
                    let (h, l) = self.state.level_index(level)?;
                    // Checking a definition alone (no query) has no axes to map to.
                    if let Some(axis) = self.axes_hierarchies.iter().position(|&a| a == h) {
                        match targets.iter_mut().find(|(a, _)| *a == axis) {
                            Some(t) => t.1 = t.1.max(l + 1),
                            None => targets.push((axis, l + 1)),
                        }
                    }
                }
                if !self.origins.contains(&targets) {
                    self.origins.push(targets.clone());
                }
                Node::Origin {
                    child: Box::new(self.compile(measure, stack)?),
                    levels: targets,
                    aggregation: *aggregation,
                }
            }
            Measure::Cumulative {
                measure,
                level,
                window,
            } => {
                let (h, depth) = self.state.level_index(level)?;
                Node::Cumulative {
                    child: Box::new(self.compile(measure, stack)?),
                    axis: self.axes_hierarchies.iter().position(|&a| a == h),
                    depth,
                    window: *window,
                }
            }
        })
    }
}

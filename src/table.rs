//! The observation table: one columnar table, keys dictionary-encoded once.
//!
//! In: rows from the small readers ([`TableBuilder::push`]) and whole
//! columns from the large ones (the Sotkanet CSV appends coded chunks with
//! [`TableBuilder::append`]). Out: an [`ObservationTable`]: indicator, area,
//! group and source file as `u32` codes into [`Dictionary`]s, period as a
//! [`Period`], sex as the [`Sex`] enum, and the five numbers as nullable
//! `f64` columns ([`Numbers`]). Every stage works on these codes and plain
//! slices; text is looked up only where a person reads it.
//!
//! Guarantees:
//! * after [`TableBuilder::finish`] every dictionary is sorted, so comparing
//!   two codes gives the same order as comparing their texts: sorting rows
//!   by codes sorts them by the documented total order, and the same set of
//!   rows gives the same table whatever order (or thread) they came in;
//! * a null stays null: [`Numbers`] never turns a missing value into zero
//!   (see there for how null is stored);
//! * a row's source is its file and line (`file:line`) or, for formats
//!   without lines, the location the reader gave (`file#[12]`).

use std::collections::HashMap;

use polars::prelude::*;
use rayon::prelude::*;

use crate::domain::CellStatus;
use crate::observation::{Observation, Sex};
use crate::period::Period;

/// Texts and their codes. While building, codes follow first appearance;
/// [`Dictionary::sorted`] renumbers them in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    texts: Vec<String>,
    codes: HashMap<String, u32>,
}

impl Dictionary {
    /// The code of `text`, added when new.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(&code) = self.codes.get(text) {
            return code;
        }
        let code = u32::try_from(self.texts.len()).expect("fewer than 2^32 distinct keys");
        self.texts.push(text.to_string());
        self.codes.insert(text.to_string(), code);
        code
    }

    /// The code of `text`, if present.
    pub fn code(&self, text: &str) -> Option<u32> {
        self.codes.get(text).copied()
    }

    pub fn text(&self, code: u32) -> &str {
        &self.texts[code as usize]
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// `of` every text, by code: answers a question about a key (is it a
    /// configured area, which catalog entry is it) once, for every row
    /// that has it.
    pub fn per_code<T>(&self, of: impl Fn(&str) -> T) -> Vec<T> {
        self.texts.iter().map(|t| of(t)).collect()
    }

    /// The same texts renumbered in text order, and the map old code →
    /// new code.
    pub fn sorted(self) -> (Dictionary, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.texts.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.texts[a as usize].cmp(&self.texts[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut texts = self.texts;
        let mut sorted: Vec<String> = order
            .iter()
            .map(|&old| std::mem::take(&mut texts[old as usize]))
            .collect();
        sorted.shrink_to_fit();
        let codes = sorted
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        (
            Dictionary {
                texts: sorted,
                codes,
            },
            remap,
        )
    }
}

/// A nullable `f64` column. Null is stored as NaN: every reader rejects a
/// number that is not finite (`text::parse_number`, `observation::from_frame`)
/// and the stages only ever store finite results, so NaN can mean nothing
/// but "not published". Half the memory of `Vec<Option<f64>>`, which is
/// what lets the national table fit; and a column that is null in every
/// row (Sotkanet has no n and no confidence limits) holds no values at all
/// until a number arrives.
#[derive(Debug, Clone)]
pub struct Numbers {
    /// Empty while every row is null (`dense` false); then one value per row.
    values: Vec<f64>,
    len: usize,
    dense: bool,
}

/// Equal when every row is: a column of nulls equals one whose nulls
/// happen to be stored.
impl PartialEq for Numbers {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

/// Empty. No capacity is reserved up front: values are stored only once
/// the first number arrives, and most columns of a national table never
/// get one.
impl Default for Numbers {
    fn default() -> Self {
        Numbers {
            values: Vec::new(),
            len: 0,
            dense: false,
        }
    }
}

impl Numbers {
    fn all_null(&self) -> bool {
        !self.dense
    }

    /// Gives every row a slot (NaN for the nulls so far).
    fn materialize(&mut self) {
        if !self.dense {
            self.values = vec![f64::NAN; self.len];
            self.dense = true;
        }
    }

    pub fn push(&mut self, value: Option<f64>) {
        debug_assert!(
            value.is_none_or(f64::is_finite),
            "a stored number is finite"
        );
        match value {
            None if self.all_null() => {}
            None => self.values.push(f64::NAN),
            Some(v) => {
                self.materialize();
                self.values.push(v);
            }
        }
        self.len += 1;
    }

    #[inline]
    pub fn get(&self, row: usize) -> Option<f64> {
        assert!(row < self.len, "row {row} of {}", self.len);
        let v = *self.values.get(row)?;
        (!v.is_nan()).then_some(v)
    }

    pub fn set(&mut self, row: usize, value: Option<f64>) {
        assert!(row < self.len, "row {row} of {}", self.len);
        match value {
            None if self.all_null() => {}
            value => {
                self.materialize();
                self.values[row] = value.unwrap_or(f64::NAN);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<f64>> + '_ {
        (0..self.len).map(|row| self.get(row))
    }

    fn extend(&mut self, other: Numbers) {
        if other.all_null() {
            if !self.all_null() {
                self.values.resize(self.len + other.len, f64::NAN);
            }
        } else {
            self.materialize();
            self.values.extend(other.values);
        }
        self.len += other.len;
    }

    /// The rows in `order`.
    fn gather(&mut self, order: &[u32]) {
        if !self.all_null() {
            self.values = order.par_iter().map(|&i| self.values[i as usize]).collect();
        }
        self.len = order.len();
    }
}

/// Where a row came from: a file (a dictionary code) and a line, or a
/// location the reader wrote out whole (`line == 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceRef {
    pub file: u32,
    pub line: u32,
}

/// The five numbers of a row.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RowNumbers {
    pub value: Option<f64>,
    pub count: Option<f64>,
    pub n: Option<f64>,
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
}

/// Coded columns of some rows, in the order they were read: what a large
/// reader builds (in parallel chunks) and appends whole.
#[derive(Debug, Default)]
pub struct Columns {
    pub indicator: Vec<u32>,
    pub area: Vec<u32>,
    pub period: Vec<Period>,
    pub sex: Vec<Sex>,
    pub group: Vec<u32>,
    pub value: Numbers,
    pub count: Numbers,
    pub n: Numbers,
    pub ci_lower: Numbers,
    pub ci_upper: Numbers,
    pub source: Vec<SourceRef>,
    /// Whether the cell may be shown: `Published` from ingest until the
    /// privacy stage decides; kept with the row through every sort.
    pub status: Vec<CellStatus>,
}

impl Columns {
    pub fn len(&self) -> usize {
        self.indicator.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indicator.is_empty()
    }

    pub fn with_capacity(n: usize) -> Self {
        Columns {
            indicator: Vec::with_capacity(n),
            area: Vec::with_capacity(n),
            period: Vec::with_capacity(n),
            sex: Vec::with_capacity(n),
            group: Vec::with_capacity(n),
            value: Numbers::default(),
            count: Numbers::default(),
            n: Numbers::default(),
            ci_lower: Numbers::default(),
            ci_upper: Numbers::default(),
            source: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        indicator: u32,
        area: u32,
        period: Period,
        sex: Sex,
        group: u32,
        numbers: RowNumbers,
        source: SourceRef,
    ) {
        self.indicator.push(indicator);
        self.area.push(area);
        self.period.push(period);
        self.sex.push(sex);
        self.group.push(group);
        self.value.push(numbers.value);
        self.count.push(numbers.count);
        self.n.push(numbers.n);
        self.ci_lower.push(numbers.ci_lower);
        self.ci_upper.push(numbers.ci_upper);
        self.source.push(source);
        self.status.push(CellStatus::Published);
    }

    pub fn extend(&mut self, other: Columns) {
        self.indicator.extend(other.indicator);
        self.area.extend(other.area);
        self.period.extend(other.period);
        self.sex.extend(other.sex);
        self.group.extend(other.group);
        self.value.extend(other.value);
        self.count.extend(other.count);
        self.n.extend(other.n);
        self.ci_lower.extend(other.ci_lower);
        self.ci_upper.extend(other.ci_upper);
        self.source.extend(other.source);
        self.status.extend(other.status);
    }

    fn numbers(&self, row: usize) -> RowNumbers {
        RowNumbers {
            value: self.value.get(row),
            count: self.count.get(row),
            n: self.n.get(row),
            ci_lower: self.ci_lower.get(row),
            ci_upper: self.ci_upper.get(row),
        }
    }

    /// Reorders the rows to `order` (row positions), one column at a time,
    /// so that only one column is ever held twice.
    fn gather(&mut self, order: &[u32]) {
        fn take<T: Copy + Send + Sync>(column: &mut Vec<T>, order: &[u32]) {
            let taken: Vec<T> = order.par_iter().map(|&i| column[i as usize]).collect();
            *column = taken;
        }
        take(&mut self.indicator, order);
        take(&mut self.area, order);
        take(&mut self.period, order);
        take(&mut self.sex, order);
        take(&mut self.group, order);
        for numbers in [
            &mut self.value,
            &mut self.count,
            &mut self.n,
            &mut self.ci_lower,
            &mut self.ci_upper,
        ] {
            numbers.gather(order);
        }
        take(&mut self.source, order);
        take(&mut self.status, order);
    }
}

/// Collects rows and coded columns from every input.
#[derive(Debug, Default)]
pub struct TableBuilder {
    pub indicators: Dictionary,
    pub areas: Dictionary,
    pub groups: Dictionary,
    pub files: Dictionary,
    pub columns: Columns,
}

impl TableBuilder {
    /// Adds one row, coding its texts. A source `file:LINE` is kept as the
    /// file and the line number; any other location is kept whole.
    pub fn push(&mut self, row: &Observation) {
        let source = self.source_ref(&row.source);
        let indicator = self.indicators.intern(&row.indicator);
        let area = self.areas.intern(&row.area);
        let group = self.groups.intern(&row.group);
        self.columns.push(
            indicator,
            area,
            row.period,
            row.sex,
            group,
            RowNumbers {
                value: row.value,
                count: row.count,
                n: row.n,
                ci_lower: row.ci_lower,
                ci_upper: row.ci_upper,
            },
            source,
        );
    }

    /// The source reference of a location text.
    pub fn source_ref(&mut self, location: &str) -> SourceRef {
        if let Some((file, line)) = location.rsplit_once(':') {
            if let Ok(line @ 1..) = line.parse::<u32>() {
                return SourceRef {
                    file: self.files.intern(file),
                    line,
                };
            }
        }
        SourceRef {
            file: self.files.intern(location),
            line: 0,
        }
    }

    /// Appends coded columns whose codes are already this builder's.
    pub fn append(&mut self, columns: Columns) {
        self.columns.extend(columns);
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Sorts the dictionaries (codes then compare like their texts) and the
    /// rows by the table's total order.
    pub fn finish(self) -> ObservationTable {
        let TableBuilder {
            indicators,
            areas,
            groups,
            files,
            mut columns,
        } = self;
        let (indicators, indicator_map) = indicators.sorted();
        let (areas, area_map) = areas.sorted();
        let (groups, group_map) = groups.sorted();
        let (files, file_map) = files.sorted();
        let recode = |codes: &mut Vec<u32>, map: &[u32]| {
            codes.par_iter_mut().for_each(|c| *c = map[*c as usize]);
        };
        recode(&mut columns.indicator, &indicator_map);
        recode(&mut columns.area, &area_map);
        recode(&mut columns.group, &group_map);
        columns
            .source
            .par_iter_mut()
            .for_each(|s| s.file = file_map[s.file as usize]);
        let mut table = ObservationTable {
            indicators,
            areas,
            groups,
            files,
            columns,
            period_dictionary: Default::default(),
        };
        table.sort();
        table
    }
}

/// A polars `Enum` column of `codes` into `texts` (each code is a position
/// in `texts`, kept as it is). The category list goes into the Arrow and
/// Parquet metadata, so the bytes depend only on the texts.
pub fn enum_column<T: AsRef<str>>(name: &str, codes: &[u32], texts: &[T]) -> PolarsResult<Column> {
    let categories = FrozenCategories::new(texts.iter().map(AsRef::as_ref))?;
    let dtype = DataType::from_frozen_categories(categories);
    let physical = DataType::from(dtype.cat_physical()?);
    let codes = UInt32Chunked::from_slice(name.into(), codes)
        .into_series()
        .cast(&physical)?;
    Ok(Series::from_cats_and_dtype(&codes, &dtype, true)?.into_column())
}

/// The observation table. Rows are sorted series-major, by (indicator,
/// area, sex, group, period, source), once [`TableBuilder::finish`] or
/// [`ObservationTable::sort`] ran; dictionaries are sorted, so code order is
/// text order.
#[derive(Debug, Default)]
pub struct ObservationTable {
    pub indicators: Dictionary,
    pub areas: Dictionary,
    pub groups: Dictionary,
    pub files: Dictionary,
    pub columns: Columns,
    /// The distinct periods, in order, for the output's period column:
    /// found once, on the first [`ObservationTable::frame`], and cleared
    /// whenever rows are reordered or dropped.
    period_dictionary: std::sync::OnceLock<Vec<Period>>,
}

/// The identity of a cell in codes: two rows with equal keys are the same
/// cell.
pub type CellKey = (u32, u32, Period, Sex, u32);

impl ObservationTable {
    /// The builder's rows as they are, in the order they were added, with
    /// the dictionaries as built (not sorted): for reading rows back in
    /// input order.
    pub fn unsorted(builder: TableBuilder) -> ObservationTable {
        ObservationTable {
            indicators: builder.indicators,
            areas: builder.areas,
            groups: builder.groups,
            files: builder.files,
            columns: builder.columns,
            period_dictionary: Default::default(),
        }
    }

    /// A table of these rows (for tests, benches and small inputs).
    pub fn from_rows(rows: &[Observation]) -> ObservationTable {
        let mut builder = TableBuilder::default();
        rows.iter().for_each(|row| builder.push(row));
        builder.finish()
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The row's place in the table's order: (indicator, area, sex,
    /// group, period), series-major.
    #[inline]
    fn order_key(&self, row: usize) -> (u32, u32, Sex, u32, Period) {
        let c = &self.columns;
        (
            c.indicator[row],
            c.area[row],
            c.sex[row],
            c.group[row],
            c.period[row],
        )
    }

    #[inline]
    pub fn key(&self, row: usize) -> CellKey {
        let c = &self.columns;
        (
            c.indicator[row],
            c.area[row],
            c.period[row],
            c.sex[row],
            c.group[row],
        )
    }

    pub fn indicator(&self, row: usize) -> &str {
        self.indicators.text(self.columns.indicator[row])
    }

    pub fn area(&self, row: usize) -> &str {
        self.areas.text(self.columns.area[row])
    }

    pub fn group(&self, row: usize) -> &str {
        self.groups.text(self.columns.group[row])
    }

    pub fn numbers(&self, row: usize) -> RowNumbers {
        self.columns.numbers(row)
    }

    /// A source as people read it: `file:line`, or the location whole.
    pub fn source_text(&self, source: SourceRef) -> String {
        let file = self.files.text(source.file);
        if source.line == 0 {
            file.to_string()
        } else {
            format!("{file}:{}", source.line)
        }
    }

    pub fn source(&self, row: usize) -> String {
        self.source_text(self.columns.source[row])
    }

    /// One row with its texts, for the stages that read only a few rows
    /// (the shift stage, the reports about the areas of interest).
    pub fn row(&self, row: usize) -> Observation {
        let n = self.numbers(row);
        Observation {
            indicator: self.indicator(row).to_string(),
            area: self.area(row).to_string(),
            period: self.columns.period[row],
            sex: self.columns.sex[row],
            group: self.group(row).to_string(),
            value: n.value,
            count: n.count,
            n: n.n,
            ci_lower: n.ci_lower,
            ci_upper: n.ci_upper,
            source: self.source(row),
        }
    }

    /// The rows where `keep(row)` holds, with their texts, in table order.
    pub fn rows_where(&self, keep: impl Fn(usize) -> bool) -> Vec<Observation> {
        (0..self.len())
            .filter(|&i| keep(i))
            .map(|i| self.row(i))
            .collect()
    }

    /// Sorts the rows series-major: by (indicator, area, sex, group, period,
    /// source file, line), so that every series is one run of rows in
    /// period order. Rows already in order (most downloads are) are left as they
    /// are after one check.
    pub fn sort(&mut self) {
        let c = &self.columns;
        let cmp = |a: usize, b: usize| {
            self.order_key(a)
                .cmp(&self.order_key(b))
                .then_with(|| c.source[a].cmp(&c.source[b]))
        };
        let sorted = (1..self.len())
            .into_par_iter()
            .all(|i| cmp(i - 1, i).is_le());
        if sorted {
            return;
        }
        // Bucket the rows by indicator (a stable counting sort), then sort
        // each bucket in parallel by one packed integer key: far fewer and
        // cheaper comparisons than comparing five columns across the whole
        // table, and the temporary keys are one bucket's worth.
        let mut starts = vec![0usize; self.indicators.len() + 1];
        for &code in &c.indicator {
            starts[code as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut order = vec![0u32; self.len()];
        let mut next = starts.clone();
        for (row, &code) in c.indicator.iter().enumerate() {
            order[next[code as usize]] = row as u32;
            next[code as usize] += 1;
        }
        let mut buckets: Vec<&mut [u32]> = Vec::with_capacity(self.indicators.len());
        let mut rest: &mut [u32] = &mut order;
        for window in starts.windows(2) {
            let (bucket, tail) = rest.split_at_mut(window[1] - window[0]);
            buckets.push(bucket);
            rest = tail;
        }
        let packable = self.areas.len() < 1 << 24 && self.groups.len() < 1 << 16;
        let packed = |row: usize| -> Option<u64> {
            let year = u64::try_from(c.period[row].year() - 1800)
                .ok()
                .filter(|y| *y < 400)?;
            let quarter = match c.period[row] {
                Period::Year(_) => 0,
                Period::Quarter(_, q) => u64::from(q),
            };
            Some(
                u64::from(c.area[row]) << 29
                    | (c.sex[row] as u64) << 27
                    | u64::from(c.group[row]) << 11
                    | (year * 5 + quarter),
            )
        };
        buckets.into_par_iter().for_each(|bucket| {
            let keys: Option<Vec<(u64, u32)>> = packable
                .then(|| {
                    bucket
                        .iter()
                        .map(|&row| packed(row as usize).map(|k| (k, row)))
                        .collect()
                })
                .flatten();
            match keys {
                Some(mut keys) => {
                    keys.sort_unstable_by(|a, b| {
                        a.0.cmp(&b.0)
                            .then_with(|| c.source[a.1 as usize].cmp(&c.source[b.1 as usize]))
                    });
                    for (slot, (_, row)) in bucket.iter_mut().zip(keys) {
                        *slot = row;
                    }
                }
                // Keys too wide to pack: compare the columns.
                None => bucket.sort_unstable_by(|&a, &b| cmp(a as usize, b as usize)),
            }
        });
        self.columns.gather(&order);
        self.period_dictionary = Default::default();
    }

    /// Keeps the rows where `keep[row]` is true, in order.
    pub fn retain(&mut self, keep: &[bool]) {
        if keep.iter().all(|k| *k) {
            return;
        }
        let order: Vec<u32> = (0..self.len() as u32)
            .filter(|&i| keep[i as usize])
            .collect();
        self.columns.gather(&order);
        self.period_dictionary = Default::default();
    }

    /// Renumbers the indicator column through `map` (old code → new text)
    /// and sorts again: the validate stage replaces source keys by catalog
    /// ids this way, once per distinct key instead of once per row.
    pub fn rename_indicators(&mut self, map: &[String]) {
        // Only texts that still have rows enter the new dictionary.
        let mut used = vec![false; map.len()];
        for &code in &self.columns.indicator {
            used[code as usize] = true;
        }
        let mut renamed = Dictionary::default();
        let codes: Vec<u32> = map
            .iter()
            .zip(&used)
            .map(|(t, &used)| if used { renamed.intern(t) } else { 0 })
            .collect();
        let (renamed, order) = renamed.sorted();
        let old_to_new: Vec<u32> = codes
            .iter()
            .zip(&used)
            .map(|(&c, &used)| if used { order[c as usize] } else { 0 })
            .collect();
        self.columns
            .indicator
            .par_iter_mut()
            .for_each(|c| *c = old_to_new[*c as usize]);
        self.indicators = renamed;
        self.sort();
    }

    /// The rows in `range` as a polars frame with the columns of
    /// [`crate::observation::COLUMNS`] (texts looked up in the
    /// dictionaries, nulls kept).
    pub fn frame(&self, range: std::ops::Range<usize>) -> PolarsResult<DataFrame> {
        self.frame_with_files(range, self.files.texts())
    }

    /// [`ObservationTable::frame`] with the source files named by
    /// `file_names` (one per file code), e.g. relative to the config.
    ///
    /// The key columns (indicator, area, period, sex, group) are polars
    /// `Enum`s over the table's own dictionaries: the codes go in as they
    /// are, no text is built per row, and the Arrow IPC and Parquet files get
    /// dictionary-encoded columns (the CSV writes the texts).
    pub fn frame_with_files(
        &self,
        range: std::ops::Range<usize>,
        file_names: &[String],
    ) -> PolarsResult<DataFrame> {
        use std::fmt::Write;
        let c = &self.columns;
        let periods = self.period_dictionary.get_or_init(|| self.periods());
        let period_codes: Vec<u32> = c.period[range.clone()]
            .iter()
            .map(|p| periods.binary_search(p).unwrap_or_default() as u32)
            .collect();
        let sex_codes: Vec<u32> = c.sex[range.clone()].iter().map(|s| *s as u32).collect();
        let period_texts: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        let sex_texts = Sex::ALL.map(Sex::as_str);
        let number = |name: &str, column: &Numbers| -> Column {
            Float64Chunked::from_iter_options(name.into(), range.clone().map(|row| column.get(row)))
                .into_column()
        };
        let mut source = StringChunkedBuilder::new("source".into(), range.len());
        let mut buffer = String::new();
        for row in range.clone() {
            let s = c.source[row];
            buffer.clear();
            buffer.push_str(&file_names[s.file as usize]);
            if s.line != 0 {
                let _ = write!(buffer, ":{}", s.line);
            }
            source.append_value(&buffer);
        }
        DataFrame::new(
            range.len(),
            vec![
                enum_column(
                    "indicator",
                    &c.indicator[range.clone()],
                    self.indicators.texts(),
                )?,
                enum_column("area", &c.area[range.clone()], self.areas.texts())?,
                enum_column("period", &period_codes, &period_texts)?,
                enum_column("sex", &sex_codes, &sex_texts)?,
                enum_column("group", &c.group[range.clone()], self.groups.texts())?,
                number("value", &c.value),
                number("count", &c.count),
                number("n", &c.n),
                number("ci_lower", &c.ci_lower),
                number("ci_upper", &c.ci_upper),
                source.finish().into_column(),
            ],
        )
    }

    /// The distinct periods of the table, in order.
    pub fn periods(&self) -> Vec<Period> {
        let mut periods: Vec<Period> = self.columns.period.clone();
        periods.par_sort_unstable();
        periods.dedup();
        periods
    }

    /// The row of a cell, by binary search in the sorted table.
    pub fn find(&self, key: CellKey) -> Option<usize> {
        let (indicator, area, period, sex, group) = key;
        let wanted = (indicator, area, sex, group, period);
        let mut low = 0;
        let mut high = self.len();
        while low < high {
            let mid = low + (high - low) / 2;
            if self.order_key(mid) < wanted {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        (low < self.len() && self.order_key(low) == wanted).then_some(low)
    }

    /// Runs of rows with equal `key(row)`, as row ranges, in table order.
    /// The table is sorted, so a series or a cell is one run.
    pub fn runs<K: PartialEq>(&self, key: impl Fn(usize) -> K) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=self.len() {
            if i == self.len() || key(i) != key(start) {
                if i > start {
                    out.push(start..i);
                }
                start = i;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::ALL_GROUPS;

    fn row(indicator: &str, area: &str, period: &str, source: &str) -> Observation {
        Observation {
            indicator: indicator.into(),
            area: area.into(),
            period: period.parse().unwrap(),
            sex: Sex::Total,
            group: ALL_GROUPS.into(),
            value: Some(1.0),
            count: None,
            n: None,
            ci_lower: None,
            ci_upper: None,
            source: source.into(),
        }
    }

    #[test]
    fn codes_sort_like_texts_whatever_the_input_order() {
        let rows = [
            row("b", "kunta.444", "2021", "x.csv:3"),
            row("a", "maa.358", "2020", "x.csv:10"),
            row("a", "kunta.444", "2021", "y.json#[2]"),
            row("a", "kunta.444", "2020", "x.csv:2"),
        ];
        let build = |rows: &[Observation]| {
            let mut b = TableBuilder::default();
            rows.iter().for_each(|r| b.push(r));
            b.finish()
        };
        let table = build(&rows);
        let mut reversed = rows.to_vec();
        reversed.reverse();
        let again = build(&reversed);
        let texts = |t: &ObservationTable| -> Vec<String> {
            (0..t.len())
                .map(|i| {
                    let r = t.row(i);
                    format!("{} {} {} {}", r.indicator, r.area, r.period, r.source)
                })
                .collect()
        };
        assert_eq!(
            texts(&table),
            [
                "a kunta.444 2020 x.csv:2",
                "a kunta.444 2021 y.json#[2]",
                "a maa.358 2020 x.csv:10",
                "b kunta.444 2021 x.csv:3",
            ]
        );
        assert_eq!(table.files.texts(), ["x.csv", "y.json#[2]"]);
        assert_eq!(texts(&table), texts(&again));
        assert_eq!(table.indicators.texts(), ["a", "b"]);
    }

    #[test]
    fn packed_sort_agrees_with_the_row_order() {
        // Years, quarters, sexes, groups and two files in a scrambled order.
        let mut rows = Vec::new();
        let mut state = 7u64;
        for i in 0..2_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let period = if state.is_multiple_of(3) {
                format!("{}Q{}", 2015 + state % 9, 1 + (state >> 8) % 4)
            } else {
                format!("{}", 2015 + state % 9)
            };
            let mut r = row(
                ["b", "a", "c"][(state >> 3) as usize % 3],
                ["kunta.444", "maa.358", "lohja.harju"][(state >> 5) as usize % 3],
                &period,
                &format!("{}.csv:{}", ["x", "y"][(state >> 7) as usize % 2], i + 2),
            );
            r.sex = Sex::ALL[(state >> 9) as usize % 4];
            r.group = ["all", "8-9", "4-5"][(state >> 11) as usize % 3].into();
            rows.push(r);
        }
        let table = ObservationTable::from_rows(&rows);
        let mut expected = rows.clone();
        crate::observation::sort_rows(&mut expected);
        let got: Vec<Observation> = (0..table.len()).map(|i| table.row(i)).collect();
        // Sources compare as text in sort_rows and as (file, line) here:
        // compare the keys, which identify the rows but for duplicates.
        let key = |o: &Observation| {
            (
                o.indicator.clone(),
                o.area.clone(),
                o.sex,
                o.group.clone(),
                o.period,
            )
        };
        assert_eq!(
            got.iter().map(key).collect::<Vec<_>>(),
            expected.iter().map(key).collect::<Vec<_>>()
        );
    }

    #[test]
    fn nulls_stay_null_and_zero_stays_zero() {
        let mut numbers = Numbers::default();
        numbers.push(None);
        numbers.push(None);
        assert_eq!(numbers.iter().collect::<Vec<_>>(), [None, None]);
        numbers.push(Some(0.0));
        assert_eq!(numbers.get(0), None);
        assert_eq!(numbers.get(2), Some(0.0));
        assert_eq!(numbers.iter().collect::<Vec<_>>(), [None, None, Some(0.0)]);
        // A column of nulls joined to one with numbers, and back.
        let mut nulls = Numbers::default();
        nulls.push(None);
        nulls.extend(numbers.clone());
        assert_eq!(
            nulls.iter().collect::<Vec<_>>(),
            [None, None, None, Some(0.0)]
        );
        let mut more = numbers.clone();
        let mut empty = Numbers::default();
        empty.push(None);
        more.extend(empty);
        assert_eq!(more.len(), 4);
        assert_eq!(more.get(3), None);
        more.set(3, Some(2.5));
        assert_eq!(more.get(3), Some(2.5));
    }

    #[test]
    fn renaming_merges_and_resorts() {
        let mut b = TableBuilder::default();
        b.push(&row("sotkanet:9", "kunta.444", "2020", "s.csv:2"));
        b.push(&row("sotkanet:10", "kunta.444", "2020", "s.csv:3"));
        let mut table = b.finish();
        // "sotkanet:10" < "sotkanet:9" as text; renamed, the order flips.
        let map: Vec<String> = table
            .indicators
            .texts()
            .iter()
            .map(|t| {
                if t == "sotkanet:10" {
                    "z".into()
                } else {
                    "a".into()
                }
            })
            .collect();
        table.rename_indicators(&map);
        assert_eq!(table.indicator(0), "a");
        assert_eq!(table.source(0), "s.csv:2");
        assert_eq!(table.indicator(1), "z");
    }

    #[test]
    fn renaming_an_empty_table_is_fine() {
        let mut b = TableBuilder::default();
        b.push(&row("x", "kunta.444", "2020", "s.csv:2"));
        let mut table = b.finish();
        table.retain(&[false]);
        table.rename_indicators(&["y".to_string()]);
        assert!(table.is_empty() && table.indicators.is_empty());
    }

    #[test]
    fn runs_split_on_key_changes() {
        let mut b = TableBuilder::default();
        for (ind, period) in [("a", "2020"), ("a", "2021"), ("b", "2020")] {
            b.push(&row(ind, "kunta.444", period, "s.csv:2"));
        }
        let table = b.finish();
        let runs = table.runs(|i| table.columns.indicator[i]);
        assert_eq!(runs, vec![0..2, 2..3]);
        let b = table.indicators.code("b").unwrap();
        let area = table.areas.code("kunta.444").unwrap();
        let all = table.groups.code(ALL_GROUPS).unwrap();
        assert_eq!(
            table.find((b, area, Period::Year(2020), Sex::Total, all)),
            Some(2)
        );
        assert_eq!(
            table.find((b, area, Period::Year(2021), Sex::Total, all)),
            None
        );
    }
}

//! Usage reports (seed 003): messages, segments and spend over a range of days, grouped by
//! day (in the account's time zone), by status or by destination country, as JSON or CSV;
//! and the calendar months invoices are issued for (seed 004).
//!
//! Days and months are the account's: a day runs from local midnight to local midnight, so
//! a day can be 23 or 25 hours long around a daylight-saving change. Instants are stored in
//! UTC, so the store needs the UTC bounds of a range and, to give each message its local
//! day, the UTC offsets in force over the range ([`offset_segments`]).

use crate::api::error::ErrorName;
use crate::api::error::ApiError;
use crate::billing::money::Money;
use crate::messaging::schedule::TimeZone;
use crate::messaging::status::Status;
use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeDelta, TimeZone as _, Utc};
use serde::Serialize;
use std::fmt;

/// The longest usage range, in days (a leap year).
pub const MAX_RANGE_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{0} is required: a date, YYYY-MM-DD")]
    MissingDate(&'static str),
    #[error("{field} must be a date, YYYY-MM-DD (years 2000 to 9999); got '{value}'")]
    InvalidDate { field: &'static str, value: String },
    #[error("from ({from}) is after to ({to})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("the range is at most {MAX_RANGE_DAYS} days; {0} days asked")]
    TooLong(i64),
    #[error("group_by is day, status or destination; got '{0}'")]
    InvalidGroupBy(String),
    #[error("format is json or csv; got '{0}'")]
    InvalidFormat(String),
    #[error("a period is a calendar month, YYYY-MM (2000-01 to 9999-12); got '{0}'")]
    InvalidPeriod(String),
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        let name = match e {
            ReportError::MissingDate(_) | ReportError::InvalidDate { .. } | ReportError::Reversed { .. } | ReportError::TooLong(_) => {
                ErrorName::InvalidDateRange
            }
            ReportError::InvalidGroupBy(_) => ErrorName::InvalidGroupBy,
            ReportError::InvalidFormat(_) => ErrorName::InvalidFormat,
            ReportError::InvalidPeriod(_) => ErrorName::InvalidPeriod,
        };
        ApiError::named(400, name, e.to_string())
    }
}

fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, ReportError> {
    let invalid = || ReportError::InvalidDate { field, value: value.to_owned() };
    // chrono reads `2026-1-5` too; only the ISO form is accepted.
    if value.len() != 10 {
        return Err(invalid());
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| invalid())?;
    if !(2000..=9999).contains(&date.year()) {
        return Err(invalid());
    }
    Ok(date)
}

/// A range of whole local days, `from` to `to` inclusive, at most [`MAX_RANGE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateRange {
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<DateRange, ReportError> {
        let from = parse_date("from", from.ok_or(ReportError::MissingDate("from"))?)?;
        let to = parse_date("to", to.ok_or(ReportError::MissingDate("to"))?)?;
        if from > to {
            return Err(ReportError::Reversed { from, to });
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_RANGE_DAYS {
            return Err(ReportError::TooLong(days));
        }
        Ok(DateRange { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// `[start of from, start of the day after to)` as UTC instants.
    pub fn bounds(&self, zone: &TimeZone) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of_day(zone, self.from), start_of_day(zone, self.to + TimeDelta::days(1)))
    }
}

/// The first instant of a local day: midnight, or where a zone's clocks skip midnight
/// (daylight saving starting at 00:00), the moment they reappear; an ambiguous midnight
/// is its first occurrence.
pub fn start_of_day(zone: &TimeZone, date: NaiveDate) -> DateTime<Utc> {
    let tz = zone.tz();
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    (0..=24 * 60)
        .find_map(|minutes| tz.from_local_datetime(&(midnight + TimeDelta::minutes(minutes))).earliest())
        .map(|t| t.with_timezone(&Utc))
        // No zone skips a whole day; fall back to UTC midnight rather than panic.
        .unwrap_or_else(|| midnight.and_utc())
}

fn offset_at(zone: &TimeZone, at: DateTime<Utc>) -> i32 {
    zone.tz().offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
}

/// The UTC offsets (seconds east of UTC) in force over `[start, end)`: each entry is the
/// instant an offset starts and the offset, the first at `start`. Adding the offset to a
/// stored UTC instant gives its local time, hence its local day. Offsets change at most a
/// few times a year, so this is a handful of entries.
pub fn offset_segments(zone: &TimeZone, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, i32)> {
    // Transitions are weeks apart in every zone; probing every 6 hours cannot step over two.
    const PROBE: TimeDelta = TimeDelta::hours(6);
    let mut segments = vec![(start, offset_at(zone, start))];
    let mut at = start;
    while at < end {
        let next = (at + PROBE).min(end);
        let (current, later) = (segments.last().expect("not empty").1, offset_at(zone, next));
        if later != current {
            // The first second with the new offset, by bisection.
            let (mut lo, mut hi) = (at, next);
            while hi - lo > TimeDelta::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(zone, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            segments.push((hi, later));
        }
        at = next;
    }
    segments
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Day,
    Status,
    Destination,
}

impl GroupBy {
    /// Day unless asked otherwise.
    pub fn parse(value: Option<&str>) -> Result<GroupBy, ReportError> {
        match value {
            None | Some("day") => Ok(GroupBy::Day),
            Some("status") => Ok(GroupBy::Status),
            Some("destination") => Ok(GroupBy::Destination),
            Some(other) => Err(ReportError::InvalidGroupBy(other.to_owned())),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Status => "status",
            GroupBy::Destination => "destination",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
}

impl ReportFormat {
    /// `?format=` wins; without it, an `Accept` that names `text/csv` gets CSV; else JSON.
    pub fn negotiate(format: Option<&str>, accept: Option<&str>) -> Result<ReportFormat, ReportError> {
        match format {
            Some("json") => Ok(ReportFormat::Json),
            Some("csv") => Ok(ReportFormat::Csv),
            Some(other) => Err(ReportError::InvalidFormat(other.to_owned())),
            None if accept.is_some_and(|a| a.split(',').any(|t| t.trim().to_ascii_lowercase().starts_with("text/csv"))) => {
                Ok(ReportFormat::Csv)
            }
            None => Ok(ReportFormat::Json),
        }
    }
}

/// Counts and money of one group. `charged_minor` is what the messages' debits took,
/// `refunded_minor` what their refunds gave back, `spend_minor` the difference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UsageFigures {
    pub messages: i64,
    pub segments: i64,
    pub charged_minor: i64,
    pub refunded_minor: i64,
    pub spend_minor: i64,
}

impl UsageFigures {
    pub fn new(messages: i64, segments: i64, charged_minor: i64, refunded_minor: i64) -> UsageFigures {
        UsageFigures { messages, segments, charged_minor, refunded_minor, spend_minor: charged_minor - refunded_minor }
    }

    fn add(&mut self, other: &UsageFigures) {
        self.messages += other.messages;
        self.segments += other.segments;
        self.charged_minor += other.charged_minor;
        self.refunded_minor += other.refunded_minor;
        self.spend_minor += other.spend_minor;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRef {
    pub code: u16,
    pub name: &'static str,
}

/// One group: exactly one of `date`, `status`, `country` is set, as grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(flatten)]
    pub figures: UsageFigures,
}

/// A group as the store found it: its key (local date `YYYY-MM-DD`, status code, or
/// country) and its figures.
#[derive(Debug, Clone)]
pub struct UsageGroup {
    pub key: String,
    pub figures: UsageFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct UsageReport {
    pub from: String,
    pub to: String,
    pub time_zone: &'static str,
    pub group_by: GroupBy,
    pub currency: &'static str,
    pub rows: Vec<UsageRow>,
    pub totals: UsageFigures,
}

impl UsageReport {
    /// By day every day of the range has a row (zeros where nothing was sent); by status
    /// and destination only the groups that have messages, in key order.
    pub fn new(range: &DateRange, zone: &TimeZone, group_by: GroupBy, currency: &'static str, groups: Vec<UsageGroup>) -> UsageReport {
        let mut totals = UsageFigures::default();
        for g in &groups {
            totals.add(&g.figures);
        }
        let rows = match group_by {
            GroupBy::Day => range
                .days()
                .map(|day| {
                    let date = day.format("%Y-%m-%d").to_string();
                    let figures = groups.iter().find(|g| g.key == date).map(|g| g.figures).unwrap_or_default();
                    UsageRow { date: Some(date), status: None, country: None, figures }
                })
                .collect(),
            GroupBy::Status => {
                let mut rows: Vec<UsageRow> = groups
                    .iter()
                    .map(|g| {
                        let status = g.key.parse::<u16>().ok().and_then(Status::from_code).unwrap_or(Status::Unknown);
                        UsageRow { date: None, status: Some(StatusRef { code: status.code(), name: status.name() }), country: None, figures: g.figures }
                    })
                    .collect();
                rows.sort_by_key(|r| r.status.as_ref().map(|s| s.code));
                rows
            }
            GroupBy::Destination => {
                let mut rows: Vec<UsageRow> =
                    groups.iter().map(|g| UsageRow { date: None, status: None, country: Some(g.key.clone()), figures: g.figures }).collect();
                rows.sort_by(|a, b| a.country.cmp(&b.country));
                rows
            }
        };
        UsageReport {
            from: range.from().format("%Y-%m-%d").to_string(),
            to: range.to().format("%Y-%m-%d").to_string(),
            time_zone: zone.name(),
            group_by,
            currency,
            rows,
            totals,
        }
    }

    /// `usage-2026-10-01-2026-10-31-by-day.csv`
    pub fn csv_filename(&self) -> String {
        format!("usage-{}-{}-by-{}.csv", self.from, self.to, self.group_by.as_str())
    }

    /// The rows as CSV (RFC 4180: a header row, CRLF, quoting where a field needs it).
    /// Amounts in minor units, and `spend` in major units for people; no totals row, so
    /// summing a column gives the total.
    pub fn to_csv(&self, money: impl Fn(i64) -> Money) -> String {
        let mut header: Vec<&str> = match self.group_by {
            GroupBy::Day => vec!["date"],
            GroupBy::Status => vec!["status_code", "status_name"],
            GroupBy::Destination => vec!["country"],
        };
        header.extend(["messages", "segments", "charged_minor", "refunded_minor", "spend_minor", "spend", "currency"]);
        let records = self.rows.iter().map(|row| {
            let mut record: Vec<String> = match self.group_by {
                GroupBy::Day => vec![row.date.clone().unwrap_or_default()],
                GroupBy::Status => {
                    let s = row.status.as_ref();
                    vec![s.map(|s| s.code.to_string()).unwrap_or_default(), s.map(|s| s.name.to_owned()).unwrap_or_default()]
                }
                GroupBy::Destination => vec![row.country.clone().unwrap_or_default()],
            };
            let f = &row.figures;
            record.extend([
                f.messages.to_string(),
                f.segments.to_string(),
                f.charged_minor.to_string(),
                f.refunded_minor.to_string(),
                f.spend_minor.to_string(),
                money(f.spend_minor).decimal(),
                self.currency.to_owned(),
            ]);
            record
        });
        write_csv(&header, records)
    }
}

/// CSV by the `csv` crate, with RFC 4180's CRLF line ends.
pub fn write_csv(header: &[&str], records: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(header);
    for record in records {
        let _ = writer.write_record(&record);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

// ---------------------------------------------------------------- traffic (operator)

/// How the operator's traffic report counts a message by its current status (seed 001's
/// codes): delivered to the handset; failed or refused (every final rejection and error,
/// but Unknown); pending (not final yet: in flight, or SubscriberOffline that the network
/// retries); other (Expired, Canceled, and Unknown: delivered upstream with no receipt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusClass {
    Delivered,
    Failed,
    Pending,
    Other,
}

impl StatusClass {
    pub fn of(status: Status) -> StatusClass {
        use crate::messaging::status::StatusGroup;
        if status == Status::DeliveredToHandset {
            StatusClass::Delivered
        } else if !status.is_final() {
            StatusClass::Pending
        } else if status == Status::Unknown {
            StatusClass::Other
        } else {
            match status.group() {
                StatusGroup::Rejection | StatusGroup::Error => StatusClass::Failed,
                _ => StatusClass::Other,
            }
        }
    }

    /// A stored code; one the seed does not know is "other".
    pub fn of_code(code: i64) -> StatusClass {
        u16::try_from(code).ok().and_then(Status::from_code).map(StatusClass::of).unwrap_or(StatusClass::Other)
    }
}

/// How many of the top destinations the traffic report lists.
pub const TOP_DESTINATIONS: usize = 10;

/// Messages as the store found them: one UTC day, current status, carrier connection,
/// destination country and currency, with their count and money. `revenue_minor` is what
/// they were charged less their refunds (minor units), `cost_milli` the carrier's cost in
/// thousandths of a minor unit of the same currency (0 where unknown, counted in
/// `without_cost`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficGroup {
    pub date: String,
    pub status: i64,
    pub connection: String,
    pub country: String,
    pub currency: String,
    pub messages: i64,
    pub revenue_minor: i64,
    pub cost_milli: i64,
    pub without_cost: i64,
}

/// Messages by status class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub messages: i64,
    pub delivered: i64,
    pub failed: i64,
    pub pending: i64,
    pub other: i64,
}

impl StatusCounts {
    fn add(&mut self, class: StatusClass, messages: i64) {
        self.messages += messages;
        match class {
            StatusClass::Delivered => self.delivered += messages,
            StatusClass::Failed => self.failed += messages,
            StatusClass::Pending => self.pending += messages,
            StatusClass::Other => self.other += messages,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionTraffic {
    pub connection: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestinationTraffic {
    pub country: String,
    pub messages: i64,
}

/// Money of one currency (never added across currencies): revenue in minor units, cost
/// and margin (revenue less cost) in thousandths of a minor unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrencyMoney {
    pub currency: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
    pub revenue_minor: i64,
    pub cost_milli: i64,
    pub margin_milli: i64,
    pub without_cost: i64,
}

impl CurrencyMoney {
    fn new(currency: &str) -> CurrencyMoney {
        CurrencyMoney { currency: currency.to_owned(), counts: StatusCounts::default(), revenue_minor: 0, cost_milli: 0, margin_milli: 0, without_cost: 0 }
    }

    fn add(&mut self, g: &TrafficGroup, class: StatusClass) {
        self.counts.add(class, g.messages);
        self.revenue_minor += g.revenue_minor;
        self.cost_milli += g.cost_milli;
        self.margin_milli = self.revenue_minor * 1000 - self.cost_milli;
        self.without_cost += g.without_cost;
    }
}

/// One UTC day: its messages by status class, by connection, and its money by currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrafficDay {
    pub date: String,
    #[serde(flatten)]
    pub counts: StatusCounts,
    pub connections: Vec<ConnectionTraffic>,
    pub money: Vec<CurrencyMoney>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrafficReport {
    pub from: String,
    pub to: String,
    pub account_id: Option<String>,
    /// Every day of the range, zeros where nothing was sent.
    pub days: Vec<TrafficDay>,
    pub totals: StatusCounts,
    pub connections: Vec<ConnectionTraffic>,
    /// The most messages first (then by country), at most [`TOP_DESTINATIONS`].
    pub destinations: Vec<DestinationTraffic>,
    pub money: Vec<CurrencyMoney>,
}

fn merge_connection(list: &mut Vec<ConnectionTraffic>, connection: &str, class: StatusClass, messages: i64) {
    match list.iter_mut().find(|c| c.connection == connection) {
        Some(c) => c.counts.add(class, messages),
        None => {
            let mut counts = StatusCounts::default();
            counts.add(class, messages);
            list.push(ConnectionTraffic { connection: connection.to_owned(), counts });
        }
    }
}

fn merge_money(list: &mut Vec<CurrencyMoney>, g: &TrafficGroup, class: StatusClass) {
    match list.iter_mut().find(|m| m.currency == g.currency) {
        Some(m) => m.add(g, class),
        None => {
            let mut m = CurrencyMoney::new(&g.currency);
            m.add(g, class);
            list.push(m);
        }
    }
}

impl TrafficReport {
    pub fn new(range: &DateRange, account_id: Option<&str>, groups: &[TrafficGroup]) -> TrafficReport {
        let mut days: Vec<TrafficDay> = range
            .days()
            .map(|d| TrafficDay { date: d.format("%Y-%m-%d").to_string(), counts: StatusCounts::default(), connections: Vec::new(), money: Vec::new() })
            .collect();
        let (mut totals, mut connections, mut money) = (StatusCounts::default(), Vec::new(), Vec::new());
        let mut destinations: Vec<DestinationTraffic> = Vec::new();
        for g in groups {
            let class = StatusClass::of_code(g.status);
            totals.add(class, g.messages);
            merge_connection(&mut connections, &g.connection, class, g.messages);
            merge_money(&mut money, g, class);
            match destinations.iter_mut().find(|d| d.country == g.country) {
                Some(d) => d.messages += g.messages,
                None => destinations.push(DestinationTraffic { country: g.country.clone(), messages: g.messages }),
            }
            // A group outside the range (it cannot be, the store asks for the range) has no day.
            if let Some(day) = days.iter_mut().find(|d| d.date == g.date) {
                day.counts.add(class, g.messages);
                merge_connection(&mut day.connections, &g.connection, class, g.messages);
                merge_money(&mut day.money, g, class);
            }
        }
        for day in &mut days {
            day.connections.sort_by(|a, b| a.connection.cmp(&b.connection));
            day.money.sort_by(|a, b| a.currency.cmp(&b.currency));
        }
        connections.sort_by(|a, b| a.connection.cmp(&b.connection));
        money.sort_by(|a, b| a.currency.cmp(&b.currency));
        destinations.sort_by(|a, b| b.messages.cmp(&a.messages).then_with(|| a.country.cmp(&b.country)));
        destinations.truncate(TOP_DESTINATIONS);
        TrafficReport {
            from: range.from().format("%Y-%m-%d").to_string(),
            to: range.to().format("%Y-%m-%d").to_string(),
            account_id: account_id.map(str::to_owned),
            days,
            totals,
            connections,
            destinations,
            money,
        }
    }

    /// `traffic-2026-10-01-2026-10-31.csv`
    pub fn csv_filename(&self) -> String {
        format!("traffic-{}-{}.csv", self.from, self.to)
    }

    /// The per-day rows as CSV: one row per day and currency (a day with no messages has
    /// one row, its currency empty), so summing a column of one currency gives its total.
    pub fn to_csv(&self) -> String {
        let header = [
            "date", "currency", "messages", "delivered", "failed", "pending", "other", "revenue_minor", "cost_milli", "margin_milli", "without_cost",
        ];
        let records = self.days.iter().flat_map(|day| -> Vec<Vec<String>> {
            if day.money.is_empty() {
                vec![money_record(&day.date, &CurrencyMoney::new(""))]
            } else {
                day.money.iter().map(|m| money_record(&day.date, m)).collect()
            }
        });
        write_csv(&header, records)
    }
}

fn money_record(date: &str, m: &CurrencyMoney) -> Vec<String> {
    let c = &m.counts;
    vec![
        date.to_owned(),
        m.currency.clone(),
        c.messages.to_string(),
        c.delivered.to_string(),
        c.failed.to_string(),
        c.pending.to_string(),
        c.other.to_string(),
        m.revenue_minor.to_string(),
        m.cost_milli.to_string(),
        m.margin_milli.to_string(),
        m.without_cost.to_string(),
    ]
}

// ---------------------------------------------------------------- months

/// A calendar month, `YYYY-MM`: what an invoice covers, in the account's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    pub fn parse(value: &str) -> Result<Period, ReportError> {
        let invalid = || ReportError::InvalidPeriod(value.to_owned());
        let (year, month) = value.split_once('-').ok_or_else(invalid)?;
        if year.len() != 4 || month.len() != 2 || !year.bytes().chain(month.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let (year, month): (i32, u32) = (year.parse().map_err(|_| invalid())?, month.parse().map_err(|_| invalid())?);
        if !(2000..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(invalid());
        }
        Ok(Period { year, month })
    }

    /// The month `at` falls in, on the zone's calendar.
    pub fn of(at: DateTime<Utc>, zone: &TimeZone) -> Period {
        let local = at.with_timezone(&zone.tz()).date_naive();
        Period { year: local.year(), month: local.month() }
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn previous(&self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }

    pub fn next(&self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a checked month")
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day() - TimeDelta::days(1)
    }

    /// `[local start of the month, local start of the next)` as UTC instants.
    pub fn bounds(&self, zone: &TimeZone) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of_day(zone, self.first_day()), start_of_day(zone, self.next().first_day()))
    }

    /// The month is over on the zone's calendar.
    pub fn has_ended(&self, now: DateTime<Utc>, zone: &TimeZone) -> bool {
        now >= self.bounds(zone).1
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// An invoice number: `INV-<year of issue>-<platform-wide sequence, at least 6 digits>`.
/// The sequence never restarts, so numbers are unique and gapless across years too.
pub fn invoice_number(issued_year: i32, sequence: i64) -> String {
    format!("INV-{issued_year:04}-{sequence:06}")
}

/// An amount for a document people read: thousands grouped with no-break spaces, the
/// currency's decimals, the code after (`1 234 567.50 SEK`, `-0.35 SEK`).
pub fn display_amount(money: Money) -> String {
    let decimal = money.decimal();
    let (sign, digits) = decimal.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", decimal.as_str()));
    let (whole, fraction) = digits.split_once('.').map(|(w, f)| (w, Some(f))).unwrap_or((digits, None));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}\u{a0}{}", money.currency()),
        None => format!("{sign}{grouped}\u{a0}{}", money.currency()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::money::Currency;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ranges_are_checked() {
        let r = DateRange::parse(Some("2026-10-01"), Some("2026-10-31")).unwrap();
        assert_eq!(r.days().count(), 31);
        assert_eq!(DateRange::parse(Some("2026-10-01"), Some("2026-10-01")).unwrap().days().count(), 1);
        assert_eq!(DateRange::parse(None, Some("2026-10-01")), Err(ReportError::MissingDate("from")));
        assert!(matches!(DateRange::parse(Some("2026-10-02"), Some("2026-10-01")), Err(ReportError::Reversed { .. })));
        assert!(matches!(DateRange::parse(Some("2026-1-05"), Some("2026-10-01")), Err(ReportError::InvalidDate { field: "from", .. })));
        assert!(matches!(DateRange::parse(Some("2026-02-30"), Some("2026-10-01")), Err(ReportError::InvalidDate { .. })));
        assert!(matches!(DateRange::parse(Some("1999-12-31"), Some("2000-01-01")), Err(ReportError::InvalidDate { .. })));
        // A leap year is the longest range; a day more is refused.
        assert!(DateRange::parse(Some("2028-01-01"), Some("2028-12-31")).is_ok());
        assert_eq!(DateRange::parse(Some("2026-01-01"), Some("2027-01-02")), Err(ReportError::TooLong(367)));
        let e: ApiError = ReportError::TooLong(400).into();
        assert_eq!((e.http_status, e.name), (400, "InvalidDateRange"));
    }

    #[test]
    fn local_days_follow_the_zone() {
        let stockholm = TimeZone::parse("Europe/Stockholm").unwrap();
        let r = DateRange::parse(Some("2026-10-25"), Some("2026-10-25")).unwrap();
        // The day summer time ends is 25 hours long.
        let (start, end) = r.bounds(&stockholm);
        assert_eq!(start, utc("2026-10-24T22:00:00Z"));
        assert_eq!(end, utc("2026-10-25T23:00:00Z"));
        let segments = offset_segments(&stockholm, start, end);
        assert_eq!(segments, vec![(start, 7200), (utc("2026-10-25T01:00:00Z"), 3600)]);
        assert_eq!(offset_segments(&TimeZone::UTC, start, end), vec![(start, 0)]);
        // Santiago skips local midnight when summer time starts: the day starts at 01:00.
        let santiago = TimeZone::parse("America/Santiago").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(start_of_day(&santiago, day), utc("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn months() {
        let p = Period::parse("2026-12").unwrap();
        assert_eq!(p.to_string(), "2026-12");
        assert_eq!(p.next().to_string(), "2027-01");
        assert_eq!(Period::parse("2027-01").unwrap().previous(), p);
        assert_eq!(Period::parse("2028-02").unwrap().last_day(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        for bad in ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "1999-12", "2026-01-01", "+026-01", ""] {
            assert_eq!(Period::parse(bad), Err(ReportError::InvalidPeriod(bad.to_owned())), "{bad}");
        }
        let stockholm = TimeZone::parse("Europe/Stockholm").unwrap();
        assert_eq!(p.bounds(&stockholm), (utc("2026-11-30T23:00:00Z"), utc("2026-12-31T23:00:00Z")));
        assert_eq!(p.bounds(&TimeZone::UTC), (utc("2026-12-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")));
        // New Year's Eve 23:30 UTC is already January in Stockholm, still December in UTC.
        let at = utc("2026-12-31T23:30:00Z");
        assert_eq!(Period::of(at, &stockholm).to_string(), "2027-01");
        assert_eq!(Period::of(at, &TimeZone::UTC).to_string(), "2026-12");
        assert!(p.has_ended(at, &stockholm));
        assert!(!p.has_ended(at, &TimeZone::UTC));
    }

    #[test]
    fn invoice_numbers_and_amounts() {
        assert_eq!(invoice_number(2026, 123), "INV-2026-000123");
        assert_eq!(invoice_number(2031, 1_234_567), "INV-2031-1234567");
        let sek = Currency::parse("SEK").unwrap();
        assert_eq!(display_amount(Money::new(123_456_750, sek)), "1\u{a0}234\u{a0}567.50\u{a0}SEK");
        assert_eq!(display_amount(Money::new(-35, sek)), "-0.35\u{a0}SEK");
        assert_eq!(display_amount(Money::new(-100_000, sek)), "-1\u{a0}000.00\u{a0}SEK");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(display_amount(Money::new(1_000, jpy)), "1\u{a0}000\u{a0}JPY");
        assert_eq!(display_amount(Money::new(999, jpy)), "999\u{a0}JPY");
    }

    #[test]
    fn csv_quotes_as_rfc_4180_says() {
        let out = write_csv(&["a", "b"], vec![vec!["plain".into(), "with, comma".into()], vec!["say \"hi\"".into(), "two\nlines".into()]]);
        assert_eq!(out, "a,b\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }

    #[test]
    fn formats_and_groupings() {
        assert_eq!(ReportFormat::negotiate(None, None), Ok(ReportFormat::Json));
        assert_eq!(ReportFormat::negotiate(None, Some("text/html, text/csv;q=0.9")), Ok(ReportFormat::Csv));
        assert_eq!(ReportFormat::negotiate(Some("json"), Some("text/csv")), Ok(ReportFormat::Json));
        assert!(ReportFormat::negotiate(Some("xml"), None).is_err());
        assert_eq!(GroupBy::parse(None), Ok(GroupBy::Day));
        assert!(GroupBy::parse(Some("week")).is_err());
    }

    #[test]
    fn reports_fill_days_and_total() {
        let sek = Currency::parse("SEK").unwrap();
        let r = DateRange::parse(Some("2026-10-01"), Some("2026-10-03")).unwrap();
        let groups = vec![
            UsageGroup { key: "2026-10-01".into(), figures: UsageFigures::new(2, 3, 105, 35) },
            UsageGroup { key: "2026-10-03".into(), figures: UsageFigures::new(1, 1, 45, 0) },
        ];
        let report = UsageReport::new(&r, &TimeZone::UTC, GroupBy::Day, "SEK", groups);
        assert_eq!(report.rows.len(), 3);
        assert_eq!(report.rows[1].figures, UsageFigures::default());
        assert_eq!(report.totals, UsageFigures::new(3, 4, 150, 35));
        let csv = report.to_csv(|m| Money::new(m, sek));
        assert_eq!(
            csv.split("\r\n").collect::<Vec<_>>(),
            [
                "date,messages,segments,charged_minor,refunded_minor,spend_minor,spend,currency",
                "2026-10-01,2,3,105,35,70,0.70,SEK",
                "2026-10-02,0,0,0,0,0,0.00,SEK",
                "2026-10-03,1,1,45,0,45,0.45,SEK",
                "",
            ]
        );
        assert_eq!(report.csv_filename(), "usage-2026-10-01-2026-10-03-by-day.csv");
        let by_status = UsageReport::new(
            &r,
            &TimeZone::UTC,
            GroupBy::Status,
            "SEK",
            vec![
                UsageGroup { key: "203".into(), figures: UsageFigures::new(1, 1, 35, 35) },
                UsageGroup { key: "201".into(), figures: UsageFigures::new(1, 1, 35, 0) },
            ],
        );
        assert_eq!(by_status.rows[0].status, Some(StatusRef { code: 201, name: "DeliveredToHandset" }));
        let json = serde_json::to_value(&by_status.rows[1]).unwrap();
        assert_eq!(json, serde_json::json!({"status": {"code": 203, "name": "Canceled"}, "messages": 1, "segments": 1,
            "charged_minor": 35, "refunded_minor": 35, "spend_minor": 0}));
    }
}

#[cfg(test)]
mod traffic_tests {
    use super::*;

    fn group(date: &str, status: i64, connection: &str, country: &str, currency: &str, messages: i64, revenue: i64, cost: i64) -> TrafficGroup {
        TrafficGroup {
            date: date.into(),
            status,
            connection: connection.into(),
            country: country.into(),
            currency: currency.into(),
            messages,
            revenue_minor: revenue,
            cost_milli: cost,
            without_cost: 0,
        }
    }

    #[test]
    fn statuses_fall_into_four_classes() {
        assert_eq!(StatusClass::of(Status::DeliveredToHandset), StatusClass::Delivered);
        for s in [Status::Accepted, Status::Queued, Status::Sending, Status::DeliveredToCarrier, Status::SubscriberOffline] {
            assert_eq!(StatusClass::of(s), StatusClass::Pending, "{s:?}");
        }
        for s in [Status::InsufficientFunds, Status::InvalidRecipient, Status::UnknownSubscriber, Status::GatewayError, Status::DeliveryToHandsetFailed] {
            assert_eq!(StatusClass::of(s), StatusClass::Failed, "{s:?}");
        }
        for s in [Status::Expired, Status::Canceled, Status::Unknown] {
            assert_eq!(StatusClass::of(s), StatusClass::Other, "{s:?}");
        }
        assert_eq!(StatusClass::of_code(999), StatusClass::Other);
        assert_eq!(StatusClass::of_code(-1), StatusClass::Other);
        // Every seed status has a class, and exactly the one delivered status is delivered.
        assert_eq!(Status::ALL.iter().filter(|s| StatusClass::of(**s) == StatusClass::Delivered).count(), 1);
    }

    #[test]
    fn days_connections_destinations_and_money_per_currency() {
        let range = DateRange::parse(Some("2026-03-01"), Some("2026-03-03")).unwrap();
        let groups = vec![
            group("2026-03-01", 201, "fake", "SE", "SEK", 3, 105, 60_000),
            group("2026-03-01", 512, "fake", "SE", "SEK", 1, 0, 0),
            group("2026-03-01", 102, "other", "NO", "EUR", 2, 20, 4_500),
            group("2026-03-03", 202, "fake", "FI", "EUR", 1, 10, 2_000),
            group("2026-03-03", 201, "other", "NO", "EUR", 2, 20, 30_000),
        ];
        let report = TrafficReport::new(&range, Some("acc_1"), &groups);
        assert_eq!(report.days.len(), 3);
        assert_eq!(report.days[1].counts, StatusCounts::default());
        assert!(report.days[1].money.is_empty());
        let first = &report.days[0];
        assert_eq!(first.counts, StatusCounts { messages: 6, delivered: 3, failed: 1, pending: 2, other: 0 });
        assert_eq!(first.connections.iter().map(|c| (c.connection.as_str(), c.counts.messages)).collect::<Vec<_>>(), [("fake", 4), ("other", 2)]);
        assert_eq!(report.totals, StatusCounts { messages: 9, delivered: 5, failed: 1, pending: 2, other: 1 });
        // NO 4, SE 4, FI 1: most first, ties by country.
        assert_eq!(
            report.destinations.iter().map(|d| (d.country.as_str(), d.messages)).collect::<Vec<_>>(),
            [("NO", 4), ("SE", 4), ("FI", 1)]
        );
        // EUR and SEK are never added together.
        let eur = &report.money[0];
        assert_eq!((eur.currency.as_str(), eur.counts.messages, eur.revenue_minor, eur.cost_milli), ("EUR", 5, 50, 36_500));
        assert_eq!(eur.margin_milli, 50_000 - 36_500);
        let sek = &report.money[1];
        assert_eq!((sek.currency.as_str(), sek.revenue_minor, sek.cost_milli, sek.margin_milli), ("SEK", 105, 60_000, 45_000));
        // A loss is a negative margin.
        assert_eq!(report.days[2].money[0].margin_milli, 30_000 - 32_000);
    }

    #[test]
    fn top_destinations_are_at_most_ten() {
        let range = DateRange::parse(Some("2026-03-01"), Some("2026-03-01")).unwrap();
        let groups: Vec<TrafficGroup> =
            (0..12).map(|i| group("2026-03-01", 201, "fake", &format!("C{i:02}"), "SEK", i + 1, 0, 0)).collect();
        let report = TrafficReport::new(&range, None, &groups);
        assert_eq!(report.destinations.len(), TOP_DESTINATIONS);
        assert_eq!(report.destinations[0].country, "C11");
    }

    #[test]
    fn csv_has_a_row_per_day_and_currency() {
        let range = DateRange::parse(Some("2026-03-01"), Some("2026-03-02")).unwrap();
        let groups = vec![
            group("2026-03-01", 201, "fake, \"quoted\"", "SE", "SEK", 3, 105, 60_000),
            group("2026-03-01", 201, "fake", "FI", "EUR", 1, 10, 2_500),
        ];
        let report = TrafficReport::new(&range, None, &groups);
        let csv = report.to_csv();
        assert_eq!(report.csv_filename(), "traffic-2026-03-01-2026-03-02.csv");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(header[..3], ["date", "currency", "messages"]);
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
        assert_eq!(
            rows,
            [
                ["2026-03-01", "EUR", "1", "1", "0", "0", "0", "10", "2500", "7500", "0"],
                ["2026-03-01", "SEK", "3", "3", "0", "0", "0", "105", "60000", "45000", "0"],
                ["2026-03-02", "", "0", "0", "0", "0", "0", "0", "0", "0", "0"],
            ]
        );
        assert!(csv.contains("\r\n"));
    }
}

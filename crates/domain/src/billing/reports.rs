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

//! When a message goes out and how long the network may keep trying.
//!
//! A send time is an RFC 3339 instant (`2026-12-01T09:30:00+01:00`, `…Z`), or a local
//! date-time without offset (`2026-12-01T09:30`, `2026-12-01 09:30:15`) read in the
//! customer's IANA time zone, as people write appointments. Local times that do not
//! exist (skipped by a daylight-saving change) are refused rather than guessed; local
//! times that happen twice (the hour repeated when clocks go back) mean the earlier
//! instant, the first time the wall clock shows it. A send time may be up to a minute in
//! the past (clock skew, a slow request: it goes at once) and at most a year ahead.
//!
//! Validity is how long the operator keeps trying an undelivered message (seed 001:
//! "typically 72 hours"). We allow 5 minutes to 72 hours, default 72 hours.

use chrono::{DateTime, FixedOffset, Months, NaiveDateTime, SecondsFormat, TimeDelta, TimeZone as _, Utc};
use chrono_tz::Tz;
use std::fmt;

/// How far in the past a send time may be and still be accepted (sent at once).
pub const PAST_GRACE_SECONDS: i64 = 60;
/// How far ahead a send time may be.
pub const MAX_AHEAD_MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("'{0}' is not an IANA time zone name such as Europe/Stockholm or UTC")]
    UnknownTimeZone(String),
    #[error("'{0}' is not a date and time; write 2026-12-01T09:30:00+01:00, 2026-12-01T08:30:00Z, or a local time such as 2026-12-01T09:30")]
    Unparseable(String),
    #[error("{local} does not exist in {zone}: the clocks skip it for daylight saving time; pick a time outside the gap")]
    NonexistentLocalTime { local: String, zone: &'static str },
    #[error("the send time {0} has passed; leave it out to send now")]
    InPast(String),
    #[error("the send time {0} is more than {MAX_AHEAD_MONTHS} months ahead")]
    TooFarAhead(String),
    #[error("validity must be {min} to {max} seconds (5 minutes to 72 hours); got {0}", min = Validity::MIN.0, max = Validity::MAX.0)]
    ValidityOutOfRange(i64),
}

impl ScheduleError {
    /// The request field the error is about, for error details.
    pub fn field(&self) -> &'static str {
        match self {
            ScheduleError::UnknownTimeZone(_) => "time_zone",
            ScheduleError::ValidityOutOfRange(_) => "validity",
            _ => "send_at",
        }
    }
}

/// An IANA time zone (`Europe/Stockholm`), from the compiled-in tz database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(Tz::UTC);

    /// Exact IANA names (`Europe/Stockholm`, `America/New_York`, `UTC`); surrounding
    /// space is ignored.
    pub fn parse(name: &str) -> Result<TimeZone, ScheduleError> {
        name.trim().parse::<Tz>().map(TimeZone).map_err(|_| ScheduleError::UnknownTimeZone(name.to_owned()))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The zone itself, for the calendar arithmetic of reports.
    pub(crate) fn tz(&self) -> Tz {
        self.0
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A checked send time: an instant within the allowed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SendAt(DateTime<Utc>);

impl SendAt {
    /// Reads a send time (see the module documentation); `zone` is used only for local
    /// date-times without an offset. `now` is the caller's clock.
    pub fn parse(input: &str, zone: &TimeZone, now: DateTime<Utc>) -> Result<SendAt, ScheduleError> {
        let text = input.trim();
        let at = match with_offset(text) {
            Some(at) => at.with_timezone(&Utc),
            None => {
                let local = local(text).ok_or_else(|| ScheduleError::Unparseable(input.to_owned()))?;
                // `earliest`: the one instant, or the earlier of two in a repeated hour.
                zone.0.from_local_datetime(&local).earliest().map(|at| at.with_timezone(&Utc)).ok_or_else(|| {
                    ScheduleError::NonexistentLocalTime { local: local.format("%Y-%m-%d %H:%M:%S").to_string(), zone: zone.name() }
                })?
            }
        };
        if at < now - TimeDelta::seconds(PAST_GRACE_SECONDS) {
            return Err(ScheduleError::InPast(rfc3339(at)));
        }
        match now.checked_add_months(Months::new(MAX_AHEAD_MONTHS)) {
            Some(limit) if at <= limit => Ok(SendAt(at)),
            _ => Err(ScheduleError::TooFarAhead(rfc3339(at))),
        }
    }

    pub fn instant(&self) -> DateTime<Utc> {
        self.0
    }

    /// Whether the message should go now.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.0 <= now
    }

    /// `2026-12-01T08:30:00Z`: the form we store and show.
    pub fn to_rfc3339(&self) -> String {
        rfc3339(self.0)
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// RFC 3339, also without seconds (`2026-12-01T09:30Z`, `2026-12-01T09:30+01:00`), which
/// people write.
fn with_offset(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at);
    }
    let text = match text.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+00:00"),
        None => text.to_owned(),
    };
    ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"].iter().find_map(|f| DateTime::parse_from_str(&text, f).ok())
}

/// A date-time without offset, `T` or space between, seconds optional.
fn local(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// How long the network may keep trying to deliver, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Validity(u32);

impl Validity {
    pub const MIN: Validity = Validity(5 * 60);
    pub const MAX: Validity = Validity(72 * 60 * 60);
    /// Seed 001: operators typically try for 72 hours.
    pub const DEFAULT: Validity = Validity::MAX;

    /// The request's `validity` in seconds; absent means the default.
    pub fn parse(seconds: Option<i64>) -> Result<Validity, ScheduleError> {
        match seconds {
            None => Ok(Validity::DEFAULT),
            Some(s) if (i64::from(Validity::MIN.0)..=i64::from(Validity::MAX.0)).contains(&s) => Ok(Validity(s as u32)),
            Some(s) => Err(ScheduleError::ValidityOutOfRange(s)),
        }
    }

    pub fn seconds(&self) -> u32 {
        self.0
    }

    /// When a message handed to the carrier at `sent_at` stops being tried.
    pub fn expires_at(&self, sent_at: DateTime<Utc>) -> DateTime<Utc> {
        sent_at + TimeDelta::seconds(i64::from(self.0))
    }
}

impl Default for Validity {
    fn default() -> Self {
        Validity::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn now() -> DateTime<Utc> {
        utc("2026-01-15T12:00:00Z")
    }

    fn stockholm() -> TimeZone {
        TimeZone::parse("Europe/Stockholm").unwrap()
    }

    fn at(input: &str) -> Result<String, ScheduleError> {
        SendAt::parse(input, &stockholm(), now()).map(|s| s.to_rfc3339())
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(stockholm().name(), "Europe/Stockholm");
        assert_eq!(TimeZone::parse(" UTC ").unwrap(), TimeZone::UTC);
        assert_eq!(TimeZone::parse("America/New_York").unwrap().to_string(), "America/New_York");
        for bad in ["", "Stockholm", "Europe/Atlantis", "CET+1"] {
            assert_eq!(TimeZone::parse(bad), Err(ScheduleError::UnknownTimeZone(bad.into())), "{bad}");
        }
    }

    #[test]
    fn instants_with_offsets_ignore_the_zone() {
        assert_eq!(at("2026-12-01T09:30:00+01:00").unwrap(), "2026-12-01T08:30:00Z");
        assert_eq!(at("2026-12-01T08:30:00Z").unwrap(), "2026-12-01T08:30:00Z");
        assert_eq!(at("2026-12-01t08:30:00z").unwrap(), "2026-12-01T08:30:00Z");
        assert_eq!(at("2026-12-01 08:30:00.250Z").unwrap(), "2026-12-01T08:30:00.250Z");
        assert_eq!(at("2026-12-01T09:30+01:00").unwrap(), "2026-12-01T08:30:00Z");
        assert_eq!(at("2026-12-01T08:30Z").unwrap(), "2026-12-01T08:30:00Z");
    }

    #[test]
    fn local_times_are_read_in_the_customers_zone() {
        // Winter (CET, +01:00) and summer (CEST, +02:00).
        for input in ["2026-12-01T09:30", "2026-12-01 09:30", "2026-12-01T09:30:00", " 2026-12-01 09:30:00 "] {
            assert_eq!(at(input).unwrap(), "2026-12-01T08:30:00Z", "{input}");
        }
        assert_eq!(at("2026-06-01T09:30").unwrap(), "2026-06-01T07:30:00Z");
        let ny = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(SendAt::parse("2026-06-01T09:30", &ny, now()).unwrap().to_rfc3339(), "2026-06-01T13:30:00Z");
    }

    #[test]
    fn daylight_saving_gaps_are_refused_and_repeats_take_the_earlier() {
        // Stockholm skips 02:00–03:00 on 29 March 2026 …
        let err = at("2026-03-29T02:30").unwrap_err();
        assert_eq!(
            err,
            ScheduleError::NonexistentLocalTime { local: "2026-03-29 02:30:00".into(), zone: "Europe/Stockholm" }
        );
        assert!(err.to_string().contains("daylight saving"));
        assert_eq!(at("2026-03-29T03:00").unwrap(), "2026-03-29T01:00:00Z");
        // … and repeats 02:00–03:00 on 25 October 2026: first at +02:00, then at +01:00.
        assert_eq!(at("2026-10-25T02:30").unwrap(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn the_window_is_a_minute_back_to_a_year_ahead() {
        let zone = TimeZone::UTC;
        assert!(SendAt::parse("2026-01-15T11:59:00Z", &zone, now()).unwrap().is_due(now()));
        assert_eq!(
            SendAt::parse("2026-01-15T11:58:59Z", &zone, now()),
            Err(ScheduleError::InPast("2026-01-15T11:58:59Z".into()))
        );
        let soon = SendAt::parse("2026-01-15T12:05:00Z", &zone, now()).unwrap();
        assert!(!soon.is_due(now()));
        assert_eq!(soon.instant(), utc("2026-01-15T12:05:00Z"));
        assert!(SendAt::parse("2027-01-15T12:00:00Z", &zone, now()).is_ok());
        assert_eq!(
            SendAt::parse("2027-01-15T12:00:01Z", &zone, now()),
            Err(ScheduleError::TooFarAhead("2027-01-15T12:00:01Z".into()))
        );
    }

    #[test]
    fn unreadable_times_say_what_to_write() {
        for bad in ["", "tomorrow", "2026-13-01T09:30", "2026-12-01", "01/12/2026 09:30", "2026-12-01T25:00", "1764581400"] {
            let err = at(bad).unwrap_err();
            assert_eq!(err, ScheduleError::Unparseable(bad.into()), "{bad}");
            assert_eq!(err.field(), "send_at");
        }
        assert!(at("x").unwrap_err().to_string().contains("2026-12-01T09:30"));
    }

    #[test]
    fn validity_defaults_to_72_hours_within_5_minutes_to_72_hours() {
        assert_eq!(Validity::parse(None).unwrap().seconds(), 259_200);
        assert_eq!(Validity::default(), Validity::DEFAULT);
        assert_eq!(Validity::parse(Some(300)).unwrap().seconds(), 300);
        assert_eq!(Validity::parse(Some(259_200)).unwrap().seconds(), 259_200);
        for bad in [-1, 0, 299, 259_201, i64::MAX] {
            let err = Validity::parse(Some(bad)).unwrap_err();
            assert_eq!(err, ScheduleError::ValidityOutOfRange(bad));
            assert_eq!(err.field(), "validity");
        }
        assert_eq!(
            Validity::parse(Some(10)).unwrap_err().to_string(),
            "validity must be 300 to 259200 seconds (5 minutes to 72 hours); got 10"
        );
        let v = Validity::parse(Some(3600)).unwrap();
        assert_eq!(v.expires_at(utc("2026-12-01T08:30:00Z")), utc("2026-12-01T09:30:00Z"));
    }
}

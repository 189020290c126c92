//! The world's clock: the only source of time for every expiry, signature and `aws:CurrentTime`.
//!
//! It is frozen until a test moves it, so the same test gives the same credentials, expiries and
//! snapshots on every run. It is also an SDK time source, so requests signed by the real
//! aws-sdk-rust clients and the fakes that check them agree on the time.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The default start of every world's clock: `2026-01-01T00:00:00Z`.
pub const DEFAULT_START_SECS: i64 = 1_767_225_600;

/// A controllable clock shared by everything in one world. Clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use iamsim::Clock;
///
/// let clock = Clock::at_rfc3339("2026-11-24T12:00:00Z")?;
/// let copy = clock.clone();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(copy.to_rfc3339(), "2026-11-24T12:01:30Z");
/// # Ok::<(), iamsim::clock::ClockError>(())
/// ```
#[derive(Clone)]
pub struct Clock {
    /// Nanoseconds since the Unix epoch; when following the wall clock, an offset from it.
    nanos: Arc<AtomicI64>,
    /// Whether the clock follows real time (a served world) instead of standing still.
    wall: Arc<AtomicBool>,
}

/// A time the clock cannot hold.
///
/// ```
/// use iamsim::Clock;
/// use iamsim::clock::ClockError;
///
/// assert_eq!(Clock::at_rfc3339("yesterday").unwrap_err(), ClockError::Format("yesterday".into()));
/// assert!(matches!(Clock::at_rfc3339("1969-12-31T23:59:59Z"), Err(ClockError::Range(_))));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Not an RFC 3339 date-time.
    #[error("`{0}` is not an RFC 3339 date-time such as `2026-01-01T00:00:00Z`")]
    Format(String),
    /// Before 1970 or after 2262.
    #[error("`{0}` is outside the years 1970 to 2262")]
    Range(String),
}

impl Default for Clock {
    fn default() -> Clock {
        Clock {
            nanos: Arc::new(AtomicI64::new(DEFAULT_START_SECS * 1_000_000_000)),
            wall: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Clock {
    /// A clock at `2026-01-01T00:00:00Z`.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// A clock at the given time.
    pub fn at(time: SystemTime) -> Clock {
        let clock = Clock::new();
        clock.set(time);
        clock
    }

    /// A clock at an RFC 3339 time such as `2026-11-24T12:00:00Z`.
    pub fn at_rfc3339(text: &str) -> Result<Clock, ClockError> {
        let clock = Clock::new();
        clock.set(parse_rfc3339(text)?);
        Ok(clock)
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        let nanos = self.nanos.load(Ordering::SeqCst);
        if self.wall.load(Ordering::SeqCst) {
            let base = wall_nanos();
            return UNIX_EPOCH + Duration::from_nanos(u64::try_from(base.saturating_add(nanos)).unwrap_or(0));
        }
        UNIX_EPOCH + Duration::from_nanos(u64::try_from(nanos).unwrap_or(0))
    }

    /// Makes the clock follow real time from now on (what `iamsim serve` does, so that clients
    /// signing with the machine's clock are within the allowed skew). `advance` still moves it
    /// ahead of real time.
    ///
    /// ```
    /// let clock = iamsim::Clock::new();
    /// clock.follow_wall_clock();
    /// assert!(clock.now() > iamsim::Clock::new().now());
    /// ```
    pub fn follow_wall_clock(&self) {
        self.nanos.store(0, Ordering::SeqCst);
        self.wall.store(true, Ordering::SeqCst);
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX);
        let _ = self.nanos.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(n.saturating_add(by)));
    }

    /// Sets the clock to a time (times before 1970 become 1970).
    pub fn set(&self, time: SystemTime) {
        let nanos = time.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        let offset = if self.wall.load(Ordering::SeqCst) { nanos.saturating_sub(wall_nanos()) } else { nanos };
        self.nanos.store(offset, Ordering::SeqCst);
    }

    /// Seconds since the Unix epoch (`aws:EpochTime`).
    pub fn epoch_seconds(&self) -> i64 {
        let nanos = self.now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(0));
        nanos.div_euclid(1_000_000_000)
    }

    /// The time as AWS writes it: `2026-01-01T00:00:00Z` (whole seconds, UTC).
    pub fn to_rfc3339(&self) -> String {
        format_rfc3339(self.now())
    }
}

/// Real time, in nanoseconds since the Unix epoch: the only place iamsim reads it.
#[expect(clippy::disallowed_methods, reason = "a clock told to follow real time reads it here, and only here")]
fn wall_nanos() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Formats a time as `YYYY-MM-DDThh:mm:ssZ`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use iamsim::clock::format_rfc3339;
///
/// // Sub-second parts are dropped, as AWS writes expiries.
/// let t = UNIX_EPOCH + Duration::from_millis(1_767_225_600_750);
/// assert_eq!(format_rfc3339(t), "2026-01-01T00:00:00Z");
/// ```
pub fn format_rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let secs = i64::try_from(secs).unwrap_or(0);
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        // Years past 9999 (more than four digits) keep the general formatting.
        Ok(dt) if dt.year() > 9999 => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        Ok(dt) => {
            // The same text as the format! above, written digit by digit.
            let mut out = String::with_capacity(20);
            let fields = [
                (dt.year().unsigned_abs(), 4, '-'),
                (u32::from(u8::from(dt.month())), 2, '-'),
                (u32::from(dt.day()), 2, 'T'),
                (u32::from(dt.hour()), 2, ':'),
                (u32::from(dt.minute()), 2, ':'),
                (u32::from(dt.second()), 2, 'Z'),
            ];
            for (value, width, after) in fields {
                for place in (0..width).rev() {
                    out.push(char::from_digit((value / 10u32.pow(place)) % 10, 10).unwrap_or('0'));
                }
                out.push(after);
            }
            out
        }
        Err(_) => "1970-01-01T00:00:00Z".to_owned(),
    }
}

/// Formats a time as an HTTP date (`Thu, 01 Jan 2026 00:00:00 GMT`, RFC 9110 IMF-fixdate): the
/// `Date` header every response of a world carries, from the world's clock.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
/// assert_eq!(iamsim::clock::format_http_date(t), "Thu, 01 Jan 2026 00:00:00 GMT");
/// ```
pub fn format_http_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
        .ok()
        .map_or_else(|| "Thu, 01 Jan 1970 00:00:00 GMT".to_owned(), crate::dates::imf_fixdate)
}

/// Parses an RFC 3339 date-time.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use iamsim::clock::{format_rfc3339, parse_rfc3339};
///
/// let t = parse_rfc3339("2026-01-01T01:00:00+01:00")?;
/// assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_767_225_600));
/// assert_eq!(format_rfc3339(t), "2026-01-01T00:00:00Z");
/// assert!(parse_rfc3339("2026-01-01").is_err());
/// # Ok::<(), iamsim::clock::ClockError>(())
/// ```
pub fn parse_rfc3339(text: &str) -> Result<SystemTime, ClockError> {
    let dt = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| ClockError::Format(text.to_owned()))?;
    let nanos = dt.unix_timestamp_nanos();
    if nanos < 0 || nanos > i128::from(i64::MAX) {
        return Err(ClockError::Range(text.to_owned()));
    }
    let nanos = u64::try_from(nanos).map_err(|_| ClockError::Range(text.to_owned()))?;
    Ok(UNIX_EPOCH + Duration::from_nanos(nanos))
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock({})", self.to_rfc3339())
    }
}

impl aws_smithy_async::time::TimeSource for Clock {
    fn now(&self) -> SystemTime {
        Clock::now(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_frozen_at_the_default_time() {
        let c = Clock::new();
        assert_eq!(c.to_rfc3339(), "2026-01-01T00:00:00Z");
        assert_eq!(c.epoch_seconds(), DEFAULT_START_SECS);
        assert_eq!(c.now(), c.now());
    }

    #[test]
    fn advance_set_and_parse() {
        let c = Clock::at_rfc3339("2026-11-24T23:59:59Z").unwrap();
        c.advance(Duration::from_secs(2));
        assert_eq!(c.to_rfc3339(), "2026-11-25T00:00:01Z");
        c.set(UNIX_EPOCH);
        assert_eq!(c.to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Clock::at_rfc3339("yesterday").unwrap_err().to_string(),
            "`yesterday` is not an RFC 3339 date-time such as `2026-01-01T00:00:00Z`"
        );
        assert!(matches!(Clock::at_rfc3339("1969-12-31T23:59:59Z"), Err(ClockError::Range(_))));
    }

    #[test]
    fn rfc3339_text_is_the_well_known_format() {
        let mut secs: u64 = 0;
        while secs < 400_000_000_000 {
            let time = UNIX_EPOCH + Duration::from_secs(secs);
            let dt = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap()).unwrap();
            let expected = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                dt.year(),
                u8::from(dt.month()),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            );
            assert_eq!(format_rfc3339(time), expected);
            secs = secs * 3 + 3_599;
        }
    }

    #[test]
    fn is_an_sdk_time_source() {
        use aws_smithy_async::time::SharedTimeSource;
        let c = Clock::at_rfc3339("2030-01-01T00:00:00Z").unwrap();
        let shared = SharedTimeSource::new(c.clone());
        assert_eq!(aws_smithy_async::time::TimeSource::now(&shared), c.now());
    }
}

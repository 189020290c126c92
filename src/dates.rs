//! Date text written and read without `time`'s `formatting` and `macros` features.
//!
//! An SDK application already builds `time` with `parsing` only (aws-config and
//! aws-smithy-types). A feature iamsim added to it would rebuild `time` and every SDK crate
//! above it in that application (BENCHMARKS.md, "Compile time"), so dates are written here
//! field by field, and the format descriptions `time` parses with are read from their text at
//! run time (once each) instead of by the `format_description!` macro.

use std::fmt::Write as _;
use std::sync::LazyLock;

use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;

/// A format description parsed once.
pub(crate) type Description = LazyLock<Vec<BorrowedFormatItem<'static>>>;

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 IMF-fixdate).
pub(crate) static IMF_FIXDATE: Description =
    LazyLock::new(|| parse("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"));

/// `Sun Nov  6 08:49:37 1994` (C's asctime, an obsolete HTTP date form).
pub(crate) static ASCTIME: Description = LazyLock::new(|| {
    parse("[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]")
});

/// `06 Nov 1994 08:49:37`: an RFC 850 date once its weekday is dropped and its year widened.
pub(crate) static DAY_MONTH_YEAR_TIME: Description =
    LazyLock::new(|| parse("[day] [month repr:short] [year] [hour]:[minute]:[second]"));

/// `1994-11-06T08:49:37Z`: whole seconds, UTC (SAML instants).
pub(crate) static INSTANT: Description = LazyLock::new(|| parse("[year]-[month]-[day]T[hour]:[minute]:[second]Z"));

#[expect(clippy::expect_used, reason = "the descriptions are constants of this crate, parsed by a unit test")]
fn parse(text: &'static str) -> Vec<BorrowedFormatItem<'static>> {
    time::format_description::parse_borrowed::<1>(text).expect("a valid format description")
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `Thu, 01 Jan 2026 00:00:00 GMT` (IMF-fixdate; the offset is ignored: pass a UTC time).
pub(crate) fn imf_fixdate(t: OffsetDateTime) -> String {
    let weekday = WEEKDAYS.get(usize::from(t.weekday().number_days_from_monday())).copied().unwrap_or("?");
    let month = MONTHS.get(usize::from(u8::from(t.month())).saturating_sub(1)).copied().unwrap_or("?");
    format!("{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT", t.day(), t.year(), t.hour(), t.minute(), t.second())
}

/// `2026-01-01T00:00:00Z` (whole seconds; the offset is ignored: pass a UTC time).
pub(crate) fn instant(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// RFC 3339 of a UTC time, as `time`'s `well_known::Rfc3339` writes it: the fraction of a
/// second only when there is one, without trailing zeros (`…T00:00:00.5Z`); `None` outside the
/// years 0 to 9999.
pub(crate) fn rfc3339(t: OffsetDateTime) -> Option<String> {
    if !(0..10_000).contains(&t.year()) {
        return None;
    }
    let mut out = instant(t);
    let nanos = t.nanosecond();
    if nanos != 0 {
        out.pop();
        let _ = write!(out, ".{nanos:09}");
        let trimmed = out.trim_end_matches('0').len();
        out.truncate(trimmed);
        out.push('Z');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use time::macros::format_description;

    use super::*;

    /// Times from 1970 to 9999, some with fractions of a second.
    fn samples() -> impl Iterator<Item = OffsetDateTime> {
        let mut nanos: i128 = 0;
        std::iter::from_fn(move || {
            let t = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
            nanos = nanos * 3 + 3_599_000_000_007;
            Some(t)
        })
        .chain([500_000_000, 1_000, 123_456_789, -1].map(|n| OffsetDateTime::from_unix_timestamp_nanos(n).unwrap()))
    }

    #[test]
    fn written_as_the_time_crate_writes_them() {
        let imf =
            format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");
        let whole = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let well_known = time::format_description::well_known::Rfc3339;
        let mut count = 0;
        for t in samples() {
            assert_eq!(imf_fixdate(t), t.format(&imf).unwrap(), "{t}");
            assert_eq!(instant(t), t.format(&whole).unwrap(), "{t}");
            assert_eq!(rfc3339(t), t.format(&well_known).ok(), "{t}");
            count += 1;
        }
        assert!(count > 20, "{count} samples");
        assert_eq!(
            rfc3339(OffsetDateTime::from_unix_timestamp_nanos(500_000_000).unwrap()).unwrap(),
            "1970-01-01T00:00:00.5Z"
        );
        assert_eq!(rfc3339(OffsetDateTime::from_unix_timestamp(-62_167_219_201).unwrap()), None);
    }

    #[test]
    fn descriptions_are_the_macros() {
        let pairs: [(&Description, &[BorrowedFormatItem<'_>]); 4] = [
            (
                &IMF_FIXDATE,
                format_description!(
                    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
                ),
            ),
            (
                &ASCTIME,
                format_description!(
                    "[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]"
                ),
            ),
            (&DAY_MONTH_YEAR_TIME, format_description!("[day] [month repr:short] [year] [hour]:[minute]:[second]")),
            (&INSTANT, format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")),
        ];
        for (parsed, expanded) in pairs {
            assert_eq!(parsed.as_slice(), expanded);
        }
    }
}

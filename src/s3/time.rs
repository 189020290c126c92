//! The two date forms S3 writes — ISO 8601 with milliseconds in XML
//! (`2026-01-01T00:00:00.000Z`), IMF-fixdate in headers (`Thu, 01 Jan 2026 00:00:00 GMT`) — and
//! the HTTP dates it reads in conditional headers (RFC 9110 §5.6.7: IMF-fixdate, and the
//! obsolete RFC 850 and asctime forms a recipient must accept).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

use crate::dates::{ASCTIME, DAY_MONTH_YEAR_TIME, IMF_FIXDATE};

fn to_offset(time: SystemTime) -> Option<OffsetDateTime> {
    let since = time.duration_since(UNIX_EPOCH).ok()?;
    OffsetDateTime::UNIX_EPOCH.checked_add(time::Duration::try_from(since).ok()?)
}

/// `2026-01-01T00:00:00.000Z`.
pub(crate) fn iso_millis(time: SystemTime) -> String {
    match to_offset(time) {
        Some(t) if (0..=9999).contains(&t.year()) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        _ => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

/// `Thu, 01 Jan 2026 00:00:00 GMT`.
pub(crate) fn http_date(time: SystemTime) -> String {
    crate::clock::format_http_date(time)
}

/// An HTTP date in any of the three forms; `None` for anything else (S3 then ignores the
/// header, as RFC 9110 says a recipient must for an invalid date).
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let parsed = time::PrimitiveDateTime::parse(text, &IMF_FIXDATE)
        .or_else(|_| time::PrimitiveDateTime::parse(text, &ASCTIME))
        .ok()
        .or_else(|| parse_rfc850(text))?;
    let seconds = parsed.assume_utc().unix_timestamp();
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`. Two-digit years below 70 are read as 20xx, the others
/// as 19xx (RFC 9110 asks for the nearest year not more than 50 years ahead).
fn parse_rfc850(text: &str) -> Option<time::PrimitiveDateTime> {
    let (_, rest) = text.split_once(", ")?;
    let (date, clock) = rest.strip_suffix(" GMT")?.split_once(' ')?;
    let mut parts = date.split('-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let year: i32 = year.parse().ok().filter(|_| year.len() == 2)?;
    let year = if year < 70 { 2000 + year } else { 1900 + year };
    let rebuilt = format!("{day} {month} {year} {clock}");
    time::PrimitiveDateTime::parse(&rebuilt, &DAY_MONTH_YEAR_TIME).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_s3_writes_them() {
        let t = UNIX_EPOCH + Duration::from_millis(1_767_225_600_123);
        assert_eq!(iso_millis(t), "2026-01-01T00:00:00.123Z");
        assert_eq!(http_date(t), "Thu, 01 Jan 2026 00:00:00 GMT");
    }

    #[test]
    fn the_three_http_date_forms_are_read() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(t));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}

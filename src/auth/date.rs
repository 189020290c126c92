//! The date forms SigV4 uses: `x-amz-date` (ISO 8601 basic, `20261122T204322Z`), the HTTP
//! `Date` header (IMF-fixdate, `Sun, 22 Nov 2026 20:43:22 GMT`), the credential scope's
//! `yyyymmdd`, and the ISO 8601 extended form S3 writes into its errors.
//!
//! Every conversion is checked: a time that does not fit is `None`, never a panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// `20261122T204322Z`, exactly 16 characters.
pub(crate) fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return None;
    }
    let date = parse_date8(text.get(..8)?)?;
    let hour = digits(text.get(9..11)?)?;
    let minute = digits(text.get(11..13)?)?;
    let second = digits(text.get(13..15)?)?;
    let time = Time::from_hms(u8::try_from(hour).ok()?, u8::try_from(minute).ok()?, u8::try_from(second).ok()?).ok()?;
    to_system(PrimitiveDateTime::new(date, time).assume_utc())
}

/// `Sun, 22 Nov 2026 20:43:22 GMT` (RFC 9110 IMF-fixdate, the form HTTP clients send).
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let parsed = PrimitiveDateTime::parse(text.trim(), &crate::dates::IMF_FIXDATE).ok()?;
    to_system(parsed.assume_utc())
}

/// `yyyymmdd` as a calendar date.
pub(crate) fn parse_date8(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = i32::try_from(digits(text.get(..4)?)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(text.get(4..6)?)?).ok()?).ok()?;
    let day = u8::try_from(digits(text.get(6..8)?)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Midnight UTC of a `yyyymmdd` date: the day a signing key is derived for.
pub(crate) fn date8_midnight(text: &str) -> Option<SystemTime> {
    to_system(parse_date8(text)?.midnight().assume_utc())
}

/// `20261122T204322Z`; `None` when the time is outside the years 0 to 9999.
pub(crate) fn format_basic(time: SystemTime) -> Option<String> {
    let t = to_offset(time).filter(|t| (0..=9999).contains(&t.year()))?;
    let mut out = String::with_capacity(16);
    push_date8(&t, &mut out);
    out.push('T');
    for part in [t.hour(), t.minute(), t.second()] {
        push_digits(u32::from(part), 2, &mut out);
    }
    out.push('Z');
    Some(out)
}

/// Whether `time`, written as `yyyymmdd`, is `day` (without writing it out).
pub(crate) fn is_day(time: SystemTime, day: &str) -> bool {
    let Some(t) = to_offset(time).filter(|t| (0..=9999).contains(&t.year())) else { return false };
    let mut out = String::with_capacity(8);
    push_date8(&t, &mut out);
    out == day
}

/// `yyyymmdd` of a time whose year is within 0 to 9999.
fn push_date8(t: &OffsetDateTime, out: &mut String) {
    push_digits(t.year().unsigned_abs(), 4, out);
    push_digits(u32::from(u8::from(t.month())), 2, out);
    push_digits(u32::from(t.day()), 2, out);
}

/// `value` in decimal, zero-padded to `width` digits (`value` has at most `width` digits).
fn push_digits(value: u32, width: u32, out: &mut String) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// `2026-11-22T20:43:22Z`, or `?` for a time that cannot be written.
pub(crate) fn format_iso(time: SystemTime) -> String {
    match to_offset(time) {
        Some(t) if (0..=9999).contains(&t.year()) => crate::dates::instant(t),
        _ => "?".to_owned(),
    }
}

/// [`format_basic`], or `?` for a time that cannot be written.
pub(crate) fn format_basic_or_unknown(time: SystemTime) -> String {
    format_basic(time).unwrap_or_else(|| "?".to_owned())
}

/// `time` plus `by`, or `None` on overflow.
pub(crate) fn add(time: SystemTime, by: Duration) -> Option<SystemTime> {
    time.checked_add(by)
}

/// `time` minus `by`, or `None` on overflow.
pub(crate) fn sub(time: SystemTime, by: Duration) -> Option<SystemTime> {
    time.checked_sub(by)
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn to_system(t: OffsetDateTime) -> Option<SystemTime> {
    // Whole seconds only: every SigV4 date has a resolution of one second.
    let seconds = t.unix_timestamp();
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 { UNIX_EPOCH.checked_add(magnitude) } else { UNIX_EPOCH.checked_sub(magnitude) }
}

fn to_offset(time: SystemTime) -> Option<OffsetDateTime> {
    let (magnitude, negative) = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => (after, false),
        Err(before) => (before.duration(), true),
    };
    let magnitude = time::Duration::try_from(magnitude).ok()?;
    if negative {
        OffsetDateTime::UNIX_EPOCH.checked_sub(magnitude)
    } else {
        OffsetDateTime::UNIX_EPOCH.checked_add(magnitude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let t = parse_amz_date("20261122T204322Z").unwrap();
        assert_eq!(format_basic(t).unwrap(), "20261122T204322Z");
        assert_eq!(format_iso(t), "2026-11-22T20:43:22Z");
    }

    #[test]
    fn malformed_amz_dates_are_rejected() {
        for bad in [
            "",
            "20261122T204322",
            "2026-11-22T20:43:22Z",
            "20261322T204322Z",
            "20261122T254322Z",
            "2026112xT204322Z",
            "+0261122T204322Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_parse() {
        let t = parse_http_date("Sun, 22 Nov 2026 20:43:22 GMT").unwrap();
        assert_eq!(format_basic(t).unwrap(), "20261122T204322Z");
        assert_eq!(parse_http_date("22 Nov 2026 20:43:22"), None);
    }

    #[test]
    fn formats_agree_with_the_time_crate() {
        let basic = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        let mut secs: u64 = 0;
        while secs < 253_402_300_799 {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            let offset = to_offset(t).unwrap();
            assert_eq!(format_basic(t), offset.format(&basic).ok(), "{secs}");
            assert!(is_day(t, &offset.format(&basic).unwrap()[..8]));
            assert!(!is_day(t, "19691231"));
            secs = secs * 3 + 86_399;
        }
        for back in [1, 86_400, 1_000_000_007, 62_000_000_000] {
            let t = UNIX_EPOCH - Duration::from_secs(back);
            let offset = to_offset(t).unwrap();
            assert_eq!(format_basic(t), offset.format(&basic).ok(), "-{back}");
        }
    }

    #[test]
    fn extreme_times_do_not_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert_eq!(format_basic(far), None);
        assert_eq!(format_iso(far), "?");
        assert!(date8_midnight("00000101").is_some());
        assert_eq!(format_basic(date8_midnight("00000101").unwrap()).unwrap(), "00000101T000000Z");
    }
}

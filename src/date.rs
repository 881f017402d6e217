//! Calendar dates without a time zone, and the day/month arithmetic that
//! definitions use ("1 to 3 months after the session").
//!
//! Dates are proleptic Gregorian and limited to the years 1800 to 2200, both
//! for parsing and for arithmetic, so every `Date` can be written back as
//! `YYYY-MM-DD` and read again.

use std::fmt;
use std::str::FromStr;

/// The first year a [`Date`] may have.
pub const MIN_YEAR: i32 = 1800;
/// The last year a [`Date`] may have.
pub const MAX_YEAR: i32 = 2200;

// The packing below takes the year as unsigned and shifts it by nine bits into a u32: both
// hold only for positive years below 2^23, which the compiler checks here.
const _: () = assert!(MIN_YEAR > 0 && MAX_YEAR < (1 << 23));

/// A calendar date. Ordering is chronological (year, then month, then day).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    // The year, month and day packed into one number in chronological order,
    // `year << 9 | month << 5 | day`: windows compare dates by the million, and one
    // comparison of a u32 is quicker than building a key from three fields each time.
    // INVARIANT: MIN_YEAR <= year <= MAX_YEAR, 1 <= month <= 12 and
    // 1 <= day <= days_in_month(year, month).
    packed: u32,
}

impl Date {
    /// The first date refract reads: 1800-01-01.
    pub const EARLIEST: Date = Date::packed(MIN_YEAR, 1, 1);
    /// The last date refract reads: 2200-12-31.
    pub const LATEST: Date = Date::packed(MAX_YEAR, 12, 31);

    /// The date of fields already checked (see the invariant).
    const fn packed(year: i32, month: u8, day: u8) -> Date {
        Date {
            packed: (year.unsigned_abs() << 9) | ((month as u32) << 5) | day as u32,
        }
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Date) -> std::cmp::Ordering {
        self.packed.cmp(&other.packed)
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Date) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a text or a triple of numbers is not a [`Date`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not shaped like `YYYY-MM-DD`.
    #[error("expected a date written YYYY-MM-DD, e.g. 2021-03-15")]
    Format,
    /// The year is outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[error("the year {0} is out of range (dates must fall in the years 1800 to 2200)")]
    YearOutOfRange(i32),
    /// The month is not 1 to 12.
    #[error("there is no month {0} (months are 01 to 12)")]
    Month(u8),
    /// The day is 00.
    #[error("there is no day 00 (days start at 01)")]
    DayZero,
    /// The day is past the end of its month.
    #[error("{} {year} has {days} days", month_name(*.month))]
    Day {
        /// The year of the date.
        year: i32,
        /// The month of the date (1 to 12).
        month: u8,
        /// The day that does not exist.
        day: u8,
        /// How many days the month has.
        days: u8,
    },
}

impl Date {
    /// The date `year-month-day`, if it exists and lies in the supported years.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange(year));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 {
            return Err(DateError::DayZero);
        }
        let days = days_in_month(year, month);
        if day > days {
            return Err(DateError::Day {
                year,
                month,
                day,
                days,
            });
        }
        Ok(Date::packed(year, month, day))
    }

    /// Reads exactly `YYYY-MM-DD`: no time, no sign, no surrounding spaces.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let bytes: &[u8; 10] = s.as_bytes().try_into().map_err(|_| DateError::Format)?;
        let [y0, y1, y2, y3, dash1, m0, m1, dash2, d0, d1] = *bytes;
        if dash1 != b'-' || dash2 != b'-' {
            return Err(DateError::Format);
        }
        let year = digits(&[y0, y1, y2, y3]).ok_or(DateError::Format)?;
        let month = digits(&[m0, m1]).ok_or(DateError::Format)?;
        let day = digits(&[d0, d1]).ok_or(DateError::Format)?;
        // The digit counts bound the values, so these conversions cannot fail;
        // map the impossible case to a format error rather than panicking.
        let year = i32::try_from(year).map_err(|_| DateError::Format)?;
        let month = u8::try_from(month).map_err(|_| DateError::Format)?;
        let day = u8::try_from(day).map_err(|_| DateError::Format)?;
        Date::new(year, month, day)
    }

    /// The year (1800 to 2200).
    pub fn year(self) -> i32 {
        // At most 2200 << 9 >> 9: the conversion cannot fail.
        i32::try_from(self.packed >> 9).unwrap_or(MIN_YEAR)
    }

    /// The month (1 to 12).
    pub fn month(self) -> u8 {
        ((self.packed >> 5) & 0xf) as u8
    }

    /// The day of the month (1 to 31).
    pub fn day(self) -> u8 {
        (self.packed & 0x1f) as u8
    }

    /// The date `n` days later (earlier if `n` is negative); `None` if it
    /// would leave the supported years.
    pub fn add_days(self, n: i64) -> Option<Date> {
        from_day_number(self.day_number().checked_add(n)?)
    }

    /// The date `n` calendar months later (earlier if `n` is negative), with
    /// the day clamped to the end of the target month: 2021-01-31 + 1 month
    /// is 2021-02-28. `None` if it would leave the supported years.
    pub fn add_months(self, n: i64) -> Option<Date> {
        let months = i64::from(self.year())
            .checked_mul(12)?
            .checked_add(i64::from(self.month()) - 1)?
            .checked_add(n)?;
        let year = i32::try_from(months.div_euclid(12)).ok()?;
        let month = u8::try_from(months.rem_euclid(12) + 1).ok()?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        let day = self.day().min(days_in_month(year, month));
        Date::new(year, month, day).ok()
    }

    /// Days from `self` to `other`: positive when `other` is later.
    pub fn days_until(self, other: Date) -> i64 {
        other.day_number() - self.day_number()
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's
    /// `days_from_civil`; exact for every year the type can hold.
    fn day_number(self) -> i64 {
        let month = i64::from(self.month());
        let year = i64::from(self.year()) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        // Counting months from March puts the leap day at the end of the year.
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day()) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

/// The inverse of [`Date::day_number`] (Hinnant's `civil_from_days`).
fn from_day_number(days: i64) -> Option<Date> {
    // Reject far-out numbers before the arithmetic below can overflow.
    let lowest = Date::EARLIEST.day_number();
    let highest = Date::LATEST.day_number();
    if !(lowest..=highest).contains(&days) {
        return None;
    }
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date::new(
        i32::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()
}

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// How many days `month` (1 to 12) of `year` has; 0 for a month that does not exist.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn month_name(month: u8) -> &'static str {
    match month {
        1 => "January",
        2 => "February",
        3 => "March",
        4 => "April",
        5 => "May",
        6 => "June",
        7 => "July",
        8 => "August",
        9 => "September",
        10 => "October",
        11 => "November",
        12 => "December",
        _ => "month",
    }
}

/// The value of ASCII decimal digits, `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

impl Date {
    /// `YYYY-MM-DD` as bytes, without the formatting machinery (dates are written for
    /// every reason and every evidence entry).
    pub fn to_bytes(self) -> [u8; 10] {
        // INVARIANT: years are 1800..=2200 (see `parse` and the arithmetic), so four
        // digits always suffice.
        let year = self.year().unsigned_abs();
        let digit = |n: u32| b'0' + (n % 10) as u8;
        [
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(u32::from(self.month()) / 10),
            digit(u32::from(self.month())),
            b'-',
            digit(u32::from(self.day()) / 10),
            digit(u32::from(self.day())),
        ]
    }

    /// `YYYY-MM-DD` appended to `out`. Pushing the ten ASCII characters costs less than
    /// checking them as UTF-8 for `push_str`, and a reason or an output line writes
    /// several dates.
    pub fn push_to(self, out: &mut String) {
        out.reserve(10);
        for byte in self.to_bytes() {
            out.push(char::from(byte));
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.to_bytes();
        f.write_str(std::str::from_utf8(&bytes).unwrap_or("????-??-??"))
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parses_and_displays() {
        let date = d("2021-03-05");
        assert_eq!((date.year(), date.month(), date.day()), (2021, 3, 5));
        assert_eq!(date.to_string(), "2021-03-05");
        assert_eq!(
            "1800-01-01".parse::<Date>().unwrap().to_string(),
            "1800-01-01"
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "2021-3-05",
            "2021/03/05",
            " 2021-03-05",
            "2021-03-05T00:00",
            "+021-03-05",
            "２０２１-03-05",
            "2021-0a-05",
            "20210305",
            "2021-03-5 ",
        ] {
            assert_eq!(Date::parse(bad), Err(DateError::Format), "{bad:?}");
        }
    }

    #[test]
    fn explains_impossible_dates() {
        let err = Date::parse("2021-02-30").unwrap_err();
        assert_eq!(err.to_string(), "February 2021 has 28 days");
        assert_eq!(
            Date::parse("2021-04-31").unwrap_err().to_string(),
            "April 2021 has 30 days"
        );
        assert_eq!(Date::parse("2021-13-01"), Err(DateError::Month(13)));
        assert_eq!(Date::parse("2021-00-01"), Err(DateError::Month(0)));
        assert_eq!(Date::parse("2021-01-00"), Err(DateError::DayZero));
        let far = Date::parse("2201-01-01").unwrap_err();
        assert_eq!(far, DateError::YearOutOfRange(2201));
        assert!(far.to_string().contains("out of range"));
        assert_eq!(
            Date::parse("1799-12-31"),
            Err(DateError::YearOutOfRange(1799))
        );
    }

    #[test]
    fn leap_years() {
        assert!(Date::parse("1900-02-29").is_err());
        assert!(Date::parse("2000-02-29").is_ok());
        assert!(Date::parse("2020-02-29").is_ok());
        assert!(Date::parse("2021-02-29").is_err());
        assert_eq!(d("1900-02-28").add_days(1), Some(d("1900-03-01")));
        assert_eq!(d("2000-02-28").add_days(1), Some(d("2000-02-29")));
        assert_eq!(d("2000-01-01").days_until(d("2001-01-01")), 366);
        assert_eq!(d("1900-01-01").days_until(d("1901-01-01")), 365);
    }

    #[test]
    fn month_end_clamping() {
        assert_eq!(d("2021-01-31").add_months(1), Some(d("2021-02-28")));
        assert_eq!(d("2020-01-31").add_months(1), Some(d("2020-02-29")));
        assert_eq!(d("2021-03-31").add_months(-1), Some(d("2021-02-28")));
        assert_eq!(d("2021-05-15").add_months(-17), Some(d("2019-12-15")));
        assert_eq!(d("2021-05-15").add_months(0), Some(d("2021-05-15")));
        // Clamping loses the day: months do not compose.
        let once = d("2021-01-31").add_months(1).unwrap().add_months(1);
        assert_eq!(once, Some(d("2021-03-28")));
        assert_eq!(d("2021-01-31").add_months(2), Some(d("2021-03-31")));
    }

    #[test]
    fn arithmetic_stays_in_range() {
        assert_eq!(d("2200-12-31").add_days(1), None);
        assert_eq!(d("1800-01-01").add_days(-1), None);
        assert_eq!(d("2200-12-01").add_months(1), None);
        assert_eq!(d("2021-01-01").add_days(i64::MAX), None);
        assert_eq!(d("2021-01-01").add_days(i64::MIN), None);
        assert_eq!(d("2021-01-01").add_months(i64::MAX), None);
        assert_eq!(d("2021-01-01").add_months(i64::MIN), None);
    }

    #[test]
    fn add_days_round_trips() {
        let start = d("1999-11-20");
        let mut previous = start;
        for n in 1..5000 {
            let next = start.add_days(n).unwrap();
            assert_eq!(previous.add_days(1), Some(next));
            assert!(previous < next);
            assert_eq!(start.days_until(next), n);
            assert_eq!(next.add_days(-n), Some(start));
            assert_eq!(Date::parse(&next.to_string()), Ok(next));
            previous = next;
        }
        assert_eq!(d("1800-01-01").days_until(d("2200-12-31")), 146_461);
    }

    #[test]
    fn every_supported_day_converts_both_ways() {
        let first = d("1800-01-01");
        let mut expected = first;
        for n in 0..=146_461 {
            let date = from_day_number(first.day_number() + n).unwrap();
            assert_eq!(date, expected);
            assert_eq!(from_day_number(date.day_number()), Some(date));
            // The packed fields come back out, and order follows the calendar.
            assert_eq!(Date::new(date.year(), date.month(), date.day()), Ok(date));
            assert_eq!(Date::parse(&date.to_string()), Ok(date));
            if n > 0 {
                let before = from_day_number(date.day_number() - 1).unwrap();
                assert_eq!(before.cmp(&date), std::cmp::Ordering::Less);
                assert_eq!(date.cmp(&before), std::cmp::Ordering::Greater);
            }
            if n < 146_461 {
                let days = days_in_month(date.year(), date.month());
                expected = if date.day() < days {
                    Date::new(date.year(), date.month(), date.day() + 1).unwrap()
                } else if date.month() < 12 {
                    Date::new(date.year(), date.month() + 1, 1).unwrap()
                } else {
                    Date::new(date.year() + 1, 1, 1).unwrap()
                };
            }
        }
    }

    #[test]
    fn day_number_matches_unix_epoch() {
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2000-03-01").day_number(), 11_017);
    }
}

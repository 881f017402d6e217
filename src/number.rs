//! Exact decimal numbers.
//!
//! Clinical thresholds are decimal ("≥ 20 % increase", "12.3 mm"), so numbers
//! are kept as an integer mantissa and a power-of-ten scale: `0.1 + 0.2` is
//! `0.3` and `61 / 48` compares exactly against `1.2`. Every operation is
//! checked and returns `None` instead of overflowing.

use std::cmp::Ordering;
use std::fmt;

/// The most significant digits [`Decimal::parse`] accepts.
pub const MAX_SIGNIFICANT_DIGITS: usize = 30;
/// The most digits after the decimal point [`Decimal::parse`] accepts.
pub const MAX_SCALE: u32 = 18;

/// An exact decimal number, `mantissa / 10^scale`.
///
/// Equality and ordering are by value: `12.50 == 12.5`.
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    // INVARIANT: normalised, i.e. when scale > 0 the mantissa is not a
    // multiple of 10; zero is always (0, 0). Comparison does not rely on it.
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// The places [`Decimal::log10`] rounds to.
    pub const LOG10_PLACES: usize = 12;

    /// The base-10 logarithm, rounded half away from zero to [`Decimal::LOG10_PLACES`]
    /// places; `None` unless the number is positive. A logarithm is not a decimal, so this
    /// is the one operation computed in binary floating point: the number is converted
    /// exactly rounded, and the double-precision result (relative error about 1e-16, and
    /// |log10| ≤ 31 for any number parsed) is correct to the 12th place except within
    /// about 1e-14 of a rounding boundary. Powers of ten give whole numbers exactly.
    pub fn log10(self) -> Option<Decimal> {
        if self.mantissa <= 0 {
            return None;
        }
        let x: f64 = self.to_string().parse().ok()?;
        let log = x.log10();
        if !log.is_finite() {
            return None;
        }
        Decimal::parse(&format!("{:.*}", Self::LOG10_PLACES, log))
    }

    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// Reads JSON number text (`-12`, `12.50`, `1e3`, `1.5E-2`).
    ///
    /// `None` if the text is not a JSON number, has more than
    /// [`MAX_SIGNIFICANT_DIGITS`] significant digits, needs more than
    /// [`MAX_SCALE`] decimal places, or is too large to hold.
    pub fn parse(s: &str) -> Option<Decimal> {
        // The commonest case, a plain whole number that fits: no sign, point or exponent.
        if let Some((whole, len)) = Decimal::whole_prefix(s.as_bytes()) {
            if len == s.len() {
                return Some(whole);
            }
        }
        let (negative, rest) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (mantissa_text, exponent_text) = match rest.find(['e', 'E']) {
            Some(at) => (rest.get(..at)?, Some(rest.get(at + 1..)?)),
            None => (rest, None),
        };
        let (int_text, frac_text) = match mantissa_text.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (mantissa_text, None),
        };
        // JSON grammar: no empty parts, no leading zeros, digits only.
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int_text) || (int_text.len() > 1 && int_text.starts_with('0')) {
            return None;
        }
        if frac_text.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        let exponent = match exponent_text {
            Some(e) => parse_exponent(e)?,
            None => 0,
        };
        let frac_text = frac_text.unwrap_or("");
        // The digits of both parts as one run, without leading and trailing zeros.
        let digits = || int_text.bytes().chain(frac_text.bytes());
        let total = int_text.len() + frac_text.len();
        let leading = digits().take_while(|&b| b == b'0').count();
        if leading == total {
            return Some(Decimal::ZERO);
        }
        let trailing = frac_text
            .bytes()
            .rev()
            .chain(int_text.bytes().rev())
            .take_while(|&b| b == b'0')
            .count();
        let significant = total - leading - trailing;
        if significant > MAX_SIGNIFICANT_DIGITS {
            return None;
        }
        // value = significant digits × 10^power
        let stripped_zeros = i64::try_from(trailing).ok()?;
        let frac_len = i64::try_from(frac_text.len()).ok()?;
        let power = exponent
            .checked_sub(frac_len)?
            .checked_add(stripped_zeros)?;
        let mut mantissa = digits()
            .skip(leading)
            .take(significant)
            .fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
        if negative {
            mantissa = -mantissa;
        }
        if power >= 0 {
            let factor = 10i128.checked_pow(u32::try_from(power).ok()?)?;
            Some(Decimal {
                mantissa: mantissa.checked_mul(factor)?,
                scale: 0,
            })
        } else {
            let scale = u32::try_from(power.checked_neg()?).ok()?;
            (scale <= MAX_SCALE).then_some(Decimal { mantissa, scale })
        }
    }

    /// The whole number the digits at the start of `bytes` write, and how many there are:
    /// 1 to 18 digits without a leading zero; `None` for any other start (longer runs,
    /// `01`, no digit), which [`Decimal::parse`]'s general way then decides. What follows
    /// the digits is the caller's to judge: `parse` takes the number only when nothing
    /// does, the readers' fast paths when no byte follows that they would cut with it.
    #[inline(always)]
    pub fn whole_prefix(bytes: &[u8]) -> Option<(Decimal, usize)> {
        let len = bytes
            .iter()
            .take(19)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if len == 0 || len > 18 || (len > 1 && bytes.first() == Some(&b'0')) {
            return None;
        }
        let mantissa = bytes
            .get(..len)?
            .iter()
            .fold(0i64, |m, &b| m * 10 + i64::from(b - b'0'));
        let whole = Decimal {
            mantissa: i128::from(mantissa),
            scale: 0,
        };
        Some((whole, len))
    }

    /// Reads a `serde_json` number exactly (the crate keeps its text).
    pub fn from_json(number: &serde_json::Number) -> Option<Decimal> {
        Decimal::parse(number.as_str())
    }

    /// The integer `n`.
    #[inline]
    pub fn from_i64(n: i64) -> Decimal {
        // Normalised as it stands: a whole number has no places, and zero is (0, 0).
        Decimal {
            mantissa: i128::from(n),
            scale: 0,
        }
    }

    /// Whether this is zero.
    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// Whether this is below zero.
    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// Whether this has no fractional part.
    pub fn is_integer(self) -> bool {
        let normal = self.normalized();
        normal.scale == 0
    }

    /// The value as an `i64`, if it is an integer that fits.
    pub fn to_i64(self) -> Option<i64> {
        let normal = self.normalized();
        if normal.scale != 0 {
            return None;
        }
        i64::try_from(normal.mantissa).ok()
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = rescale(self.mantissa, scale - self.scale)?;
        let b = rescale(other.mantissa, scale - other.scale)?;
        Some(
            Decimal {
                mantissa: a.checked_add(b)?,
                scale,
            }
            .normalized(),
        )
    }

    /// `self - other`, `None` on overflow.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(other.checked_neg()?)
    }

    /// `self × other`, `None` on overflow.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        Some(
            Decimal {
                mantissa: self.mantissa.checked_mul(other.mantissa)?,
                scale: self.scale.checked_add(other.scale)?,
            }
            .normalized(),
        )
    }

    /// `-self`, `None` on overflow.
    pub fn checked_neg(self) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_neg()?,
            scale: self.scale,
        })
    }

    /// `10^-places`: the step between numbers written with `places` decimals.
    pub fn unit(places: u32) -> Option<Decimal> {
        (places <= MAX_SCALE).then_some(Decimal {
            mantissa: 1,
            scale: places,
        })
    }

    /// The number halfway between `self` and `other`, exactly (one more decimal place).
    pub fn midpoint(self, other: Decimal) -> Option<Decimal> {
        let sum = self.checked_add(other)?;
        sum.checked_mul(Decimal {
            mantissa: 5,
            scale: 1,
        })
    }

    /// The largest whole number not above `self`.
    pub fn floor(self) -> Option<Decimal> {
        let normal = self.normalized();
        let factor = 10i128.checked_pow(normal.scale)?;
        Some(
            Decimal {
                mantissa: normal.mantissa.checked_div_euclid(factor)?,
                scale: 0,
            }
            .normalized(),
        )
    }

    /// `self / other` cut to `places` decimals toward minus infinity (so the true quotient
    /// lies in `[q, q + 10^-places)`); `None` for a zero divisor or on overflow.
    pub fn div_floor(self, other: Decimal, places: u32) -> Option<Decimal> {
        if other.is_zero() || places > MAX_SCALE {
            return None;
        }
        // (m1 / 10^s1) / (m2 / 10^s2) = m1 * 10^(s2 + places) / (m2 * 10^s1), at scale places.
        let numerator = rescale(self.mantissa, other.scale.checked_add(places)?)?;
        let denominator = rescale(other.mantissa, self.scale)?;
        let (mut numerator, mut denominator) = (numerator, denominator);
        if denominator < 0 {
            numerator = numerator.checked_neg()?;
            denominator = denominator.checked_neg()?;
        }
        Some(
            Decimal {
                mantissa: numerator.checked_div_euclid(denominator)?,
                scale: places,
            }
            .normalized(),
        )
    }

    /// The same value with trailing fractional zeros removed.
    fn normalized(self) -> Decimal {
        let mut out = self;
        if out.mantissa == 0 {
            return Decimal::ZERO;
        }
        while out.scale > 0 && out.mantissa % 10 == 0 {
            out.mantissa /= 10;
            out.scale -= 1;
        }
        out
    }

    /// The value as a JSON number, written exactly.
    pub fn to_json(&self) -> serde_json::Value {
        match serde_json::from_str::<serde_json::Number>(&self.to_string()) {
            Ok(number) => serde_json::Value::Number(number),
            // Display always writes valid JSON number text; this arm is unreachable.
            Err(_) => serde_json::Value::Null,
        }
    }
}

/// The change from `reference` to `new` in percent of `reference`, rounded
/// half away from zero to one decimal place: 48 → 61 is `27.1`.
/// `None` if `reference` is zero or the arithmetic would overflow.
pub fn percent_change(new: Decimal, reference: Decimal) -> Option<Decimal> {
    if reference.is_zero() {
        return None;
    }
    let diff = new.checked_sub(reference)?;
    // diff / ref × 1000 gives tenths of a percent; clear both scales first:
    // (md / 10^sd) / (mr / 10^sr) × 1000 = md × 10^sr × 1000 / (mr × 10^sd).
    let numerator = rescale(diff.mantissa, reference.scale)?.checked_mul(1000)?;
    let denominator = rescale(reference.mantissa, diff.scale)?;
    let quotient = numerator.checked_div(denominator)?;
    let remainder = numerator.checked_rem(denominator)?;
    // Round half away from zero without doubling (which could overflow).
    let rem = remainder.unsigned_abs();
    let away = rem >= denominator.unsigned_abs() - rem;
    let tenths = if away && remainder != 0 {
        let step = if (numerator < 0) == (denominator < 0) {
            1
        } else {
            -1
        };
        quotient.checked_add(step)?
    } else {
        quotient
    };
    Some(
        Decimal {
            mantissa: tenths,
            scale: 1,
        }
        .normalized(),
    )
}

/// `mantissa × 10^by`, `None` on overflow.
fn rescale(mantissa: i128, by: u32) -> Option<i128> {
    if mantissa == 0 {
        return Some(0);
    }
    mantissa.checked_mul(10i128.checked_pow(by)?)
}

/// A JSON exponent (`3`, `+3`, `-17`); `None` past `i64`.
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    #[inline]
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    #[inline]
    fn cmp(&self, other: &Decimal) -> Ordering {
        // Most comparisons are of whole numbers, or of numbers with the same places: that
        // case is small enough to inline where numbers are compared, the rest is not.
        if self.scale == other.scale {
            return self.mantissa.cmp(&other.mantissa);
        }
        self.cmp_scaled(other)
    }
}

impl Decimal {
    /// [`Ord::cmp`] of numbers with different places.
    fn cmp_scaled(&self, other: &Decimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        match (
            rescale(self.mantissa, scale - self.scale),
            rescale(other.mantissa, scale - other.scale),
        ) {
            (Some(a), Some(b)) => a.cmp(&b),
            // A side that overflows when scaled up is larger in magnitude than
            // any i128, hence than the other side, so its sign decides.
            // Both cannot overflow: only the side with the smaller scale is scaled.
            (None, _) => self.mantissa.cmp(&0),
            (_, None) => 0.cmp(&other.mantissa),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let normal = self.normalized();
        if normal.scale == 0 {
            // Whole numbers (most values in reasons) need no digit string of their own.
            return write!(f, "{}", normal.mantissa);
        }
        let digits = normal.mantissa.unsigned_abs().to_string();
        let sign = if normal.mantissa < 0 { "-" } else { "" };
        let scale = usize::try_from(normal.scale).map_err(|_| fmt::Error)?;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

impl From<i64> for Decimal {
    fn from(n: i64) -> Decimal {
        Decimal::from_i64(n)
    }
}

impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_str::<serde_json::Number>(&self.to_string()) {
            Ok(number) => number.serialize(serializer),
            Err(_) => serializer.collect_str(self),
        }
    }
}

#[cfg(test)]
mod tests;

//! The units refract can convert between: each belongs to one quantity, with its size in
//! that quantity's base unit as an exact decimal. A conversion is allowed only within one
//! quantity; an assay's own unit (PIVKA-II in mAU/mL) is a quantity of its own, so no
//! factor can ever turn it into another assay's unit (ng/mL).

use crate::number::Decimal;

/// A unit's quantity and its size in that quantity's base unit.
struct Unit {
    text: &'static str,
    quantity: &'static str,
    size: &'static str,
}

/// The table. UCUM codes and the common ways of writing them both appear, so that
/// `valueQuantity.code` or `.unit` can be matched as written.
const UNITS: &[Unit] = &[
    unit("mm", "length", "1"),
    unit("cm", "length", "10"),
    unit("m", "length", "1000"),
    unit("%", "fraction", "1"),
    unit("ng/mL", "mass concentration", "1"),
    unit("ug/L", "mass concentration", "1"),
    unit("µg/L", "mass concentration", "1"),
    unit("ug/mL", "mass concentration", "1000"),
    unit("mg/L", "mass concentration", "1000"),
    unit("mg/dL", "mass concentration", "10000"),
    unit("g/L", "mass concentration", "1000000"),
    unit("g/dL", "mass concentration", "10000000"),
    unit("umol/L", "substance concentration", "1"),
    unit("µmol/L", "substance concentration", "1"),
    unit("mmol/L", "substance concentration", "1000"),
    unit("U/L", "catalytic activity concentration", "1"),
    // Arbitrary units are defined by one assay's calibrator: they convert to nothing else.
    unit("mAU/mL", "PIVKA-II arbitrary units", "1"),
    unit("m[AU]/mL", "PIVKA-II arbitrary units", "1"),
    unit("[IU]/mL", "international units", "1"),
    unit("k[IU]/L", "international units", "1"),
];

const fn unit(text: &'static str, quantity: &'static str, size: &'static str) -> Unit {
    Unit {
        text,
        quantity,
        size,
    }
}

fn find(text: &str) -> Option<&'static Unit> {
    UNITS.iter().find(|u| u.text == text)
}

/// Why a unit cannot be converted into another by the given factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversionError {
    /// The two are units of different quantities (or different assays).
    Quantities {
        /// The quantity of the unit read.
        from: &'static str,
        /// The quantity of the attribute's unit.
        to: &'static str,
    },
    /// refract does not know one of the units, and they are not the same text.
    Unknown {
        /// The unit refract does not know.
        unit: String,
    },
    /// The factor is not the one the two units differ by.
    Factor {
        /// The factor that converts exactly.
        expected: Decimal,
    },
}

/// The exact factor from `from` to `to` (a value in `from` times it is the value in `to`),
/// checked against `factor` as written in a mapping.
pub fn check_conversion(from: &str, to: &str, factor: Decimal) -> Result<(), ConversionError> {
    let one = Decimal::from_i64(1);
    if from == to {
        return if factor == one {
            Ok(())
        } else {
            Err(ConversionError::Factor { expected: one })
        };
    }
    let (Some(a), Some(b)) = (find(from), find(to)) else {
        let unit = if find(from).is_none() { from } else { to };
        return Err(ConversionError::Unknown {
            unit: unit.to_owned(),
        });
    };
    if a.quantity != b.quantity {
        return Err(ConversionError::Quantities {
            from: a.quantity,
            to: b.quantity,
        });
    }
    let expected = exact_ratio(a.size, b.size).ok_or(ConversionError::Unknown {
        unit: from.to_owned(),
    })?;
    if expected == factor {
        Ok(())
    } else {
        Err(ConversionError::Factor { expected })
    }
}

/// `a / b` for table sizes, which are powers of ten, so the ratio is exact.
fn exact_ratio(a: &str, b: &str) -> Option<Decimal> {
    let (a, b) = (Decimal::parse(a)?, Decimal::parse(b)?);
    // a = b × 10^k or b = a × 10^k.
    let ten = Decimal::from_i64(10);
    let mut k = Decimal::from_i64(1);
    for _ in 0..12 {
        if b.checked_mul(k)? == a {
            return Some(k);
        }
        k = k.checked_mul(ten)?;
    }
    let mut places = 0u32;
    while places < 12 {
        places += 1;
        let unit = Decimal::unit(places)?;
        if b.checked_mul(unit)? == a {
            return Some(unit);
        }
    }
    None
}

/// The quantity a known unit measures ("mass concentration").
pub fn quantity_of(text: &str) -> Option<&'static str> {
    find(text).map(|u| u.quantity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn centimetres_are_ten_millimetres() {
        assert_eq!(check_conversion("cm", "mm", dec("10")), Ok(()));
        assert_eq!(check_conversion("mm", "cm", dec("0.1")), Ok(()));
        assert_eq!(
            check_conversion("cm", "mm", dec("100")),
            Err(ConversionError::Factor {
                expected: dec("10")
            })
        );
    }

    #[test]
    fn assays_never_convert() {
        assert_eq!(
            check_conversion("mAU/mL", "ng/mL", dec("1")),
            Err(ConversionError::Quantities {
                from: "PIVKA-II arbitrary units",
                to: "mass concentration"
            })
        );
    }

    #[test]
    fn albumin_grams_per_decilitre() {
        assert_eq!(check_conversion("g/dL", "g/L", dec("10")), Ok(()));
        assert_eq!(check_conversion("ug/L", "ng/mL", dec("1")), Ok(()));
        assert!(matches!(
            check_conversion("furlong", "mm", dec("1")),
            Err(ConversionError::Unknown { .. })
        ));
    }
}

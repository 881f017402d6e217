use super::*;

fn n(s: &str) -> Decimal {
    Decimal::parse(s).unwrap()
}

#[test]
fn parses_json_number_text() {
    assert_eq!(n("-12"), Decimal::from_i64(-12));
    assert_eq!(n("12.50").to_string(), "12.5");
    assert_eq!(n("1e3").to_string(), "1000");
    assert_eq!(n("1.5E-2").to_string(), "0.015");
    assert_eq!(n("1.5e+2").to_string(), "150");
    assert_eq!(n("-0").to_string(), "0");
    assert_eq!(n("-0.0e7").to_string(), "0");
    assert_eq!(
        n("0.000000000000000001").to_string(),
        "0.000000000000000001"
    );
    assert_eq!(n("-123.456").to_string(), "-123.456");
    assert_eq!(n("1.000000000000000000000000").to_string(), "1");
    assert_eq!(n("100e-2").to_string(), "1");
}

#[test]
fn rejects_what_is_not_a_json_number() {
    for bad in [
        "", "-", "+1", "01", "1.", ".5", "1e", "1e+", "1.5e-", "0x10", "1_000", " 1", "1 ", "NaN",
        "inf", "1.2.3", "--1", "1e3.5", "١",
    ] {
        assert_eq!(Decimal::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn limits_return_none_without_panicking() {
    assert!(Decimal::parse(&"9".repeat(30)).is_some());
    assert_eq!(Decimal::parse(&"9".repeat(31)), None);
    assert_eq!(Decimal::parse("0.0000000000000000001"), None); // scale 19
    assert_eq!(Decimal::parse("1e39"), None);
    assert!(Decimal::parse("1e38").is_some());
    assert_eq!(Decimal::parse("1e99999999999999999999"), None);
    assert_eq!(Decimal::parse("1e-99999999999999999999"), None);
    assert_eq!(Decimal::parse(&format!("1e{}", i64::MAX)), None);
    assert_eq!(Decimal::parse(&format!("1e{}", i64::MIN)), None);
    assert_eq!(
        Decimal::parse(&format!("{}.5e{}", "1".repeat(10), i64::MIN + 1)),
        None
    );
    let big = n("1e38");
    assert_eq!(big.checked_mul(big), None);
    assert_eq!(big.checked_add(big), None);
    assert_eq!(big.checked_neg().and_then(|m| m.checked_sub(big)), None);
    let tiny = n("0.000000000000000001");
    assert!(tiny.checked_mul(tiny).is_some());
    assert_eq!(percent_change(big, tiny), None);
}

#[test]
fn exact_arithmetic() {
    // +20 %: 12 mm against a 10 mm baseline is exactly the threshold. In binary
    // floating point 10 × 1.2 is 12.000000000000002 and the case would be missed.
    assert!(n("12").checked_mul(n("5")).unwrap() >= n("10").checked_mul(n("6")).unwrap());
    assert!(n("12") >= n("10").checked_mul(n("1.2")).unwrap());
    assert_eq!(n("10").checked_mul(n("1.2")), Some(n("12")));
    assert_eq!(n("0.1").checked_add(n("0.2")), Some(n("0.3")));
    assert_eq!(n("1.2").checked_mul(n("48")), Some(n("57.6")));
    assert_eq!(n("0.3").checked_sub(n("0.1")), Some(n("0.2")));
    assert_eq!(n("2.50").checked_mul(n("4")).unwrap().to_string(), "10");
    assert!(n("2.5").checked_mul(n("4")).unwrap().is_integer());
    assert_eq!(n("12.0").to_i64(), Some(12));
    assert_eq!(n("12.5").to_i64(), None);
    assert_eq!(n("1e30").to_i64(), None);
    assert!(n("-0.5").is_negative() && !n("0").is_negative() && n("0.0").is_zero());
}

#[test]
fn ordering_of_mixed_scales() {
    assert_eq!(n("12.50"), n("12.5"));
    assert!(n("12.5") < n("12.51"));
    assert!(n("-1.5") < n("-1.49"));
    assert!(n("1e2") > n("99.999999999999999999"));
    let mut values: Vec<Decimal> = ["3", "-2.5", "0.001", "1e3", "-0", "2.999", "-2.50001"]
        .iter()
        .map(|s| n(s))
        .collect();
    values.sort();
    let text: Vec<String> = values.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        ["-2.50001", "-2.5", "0", "0.001", "2.999", "3", "1000"]
    );
}

#[test]
fn ordering_never_overflows() {
    let huge = Decimal {
        mantissa: i128::MAX,
        scale: 0,
    };
    let fine = Decimal {
        mantissa: 1,
        scale: 18,
    };
    let neg_huge = Decimal {
        mantissa: i128::MIN,
        scale: 0,
    };
    let neg_fine = Decimal {
        mantissa: -1,
        scale: 30,
    };
    assert_eq!(
        (huge.cmp(&fine), fine.cmp(&huge)),
        (Ordering::Greater, Ordering::Less)
    );
    assert_eq!(neg_huge.cmp(&neg_fine), Ordering::Less);
    assert_eq!(neg_fine.cmp(&neg_huge), Ordering::Greater);
    assert!(neg_huge < fine && huge > neg_fine);
    let wide = Decimal {
        mantissa: i128::MAX,
        scale: 40,
    };
    assert!(wide < Decimal::from_i64(1) && wide > Decimal::ZERO);
    assert_eq!(
        Decimal {
            mantissa: 0,
            scale: 0
        },
        Decimal {
            mantissa: 0,
            scale: 60
        }
    );
    assert_eq!(huge.to_string(), i128::MAX.to_string());
    assert_eq!(neg_huge.to_string(), i128::MIN.to_string());
}

#[test]
fn percent_change_rounds_half_away_from_zero() {
    assert_eq!(percent_change(n("61"), n("48")), Some(n("27.1")));
    assert_eq!(percent_change(n("60"), n("50")), Some(n("20")));
    assert_eq!(percent_change(n("30"), n("50")), Some(n("-40")));
    assert_eq!(percent_change(n("1.0005"), n("1")), Some(n("0.1"))); // 0.05 → 0.1
    assert_eq!(percent_change(n("0.9995"), n("1")), Some(n("-0.1"))); // -0.05 → -0.1
    assert_eq!(percent_change(n("1.00049"), n("1")), Some(n("0")));
    assert_eq!(percent_change(n("-3"), n("-2")), Some(n("50")));
    assert_eq!(percent_change(n("5"), n("0")), None);
    assert_eq!(percent_change(n("1"), n("3")), Some(n("-66.7")));
}

#[test]
fn serializes_as_exact_json_numbers() {
    assert_eq!(serde_json::to_string(&n("12.50")).unwrap(), "12.5");
    assert_eq!(serde_json::to_string(&n("1e3")).unwrap(), "1000");
    assert_eq!(n("0.1").to_json().to_string(), "0.1");
    let big = Decimal {
        mantissa: i128::MIN,
        scale: 5,
    };
    assert_eq!(big.to_json().to_string(), big.to_string());
    let number: serde_json::Number = serde_json::from_str("1.50").unwrap();
    assert_eq!(Decimal::from_json(&number), Some(n("1.5")));
}

#[test]
fn whole_numbers_read_the_same_on_the_short_path_and_the_general_one() {
    for n in [0u64, 1, 9, 10, 240, 1000, 99_999, 123_456_789_012_345_678] {
        let short = Decimal::parse(&n.to_string());
        assert_eq!(short, Decimal::parse(&format!("{n}.0")), "{n}");
        assert_eq!(short, Decimal::parse(&format!("{n}e0")), "{n}");
        assert_eq!(short.map(|d| d.to_string()), Some(n.to_string()));
    }
    for bad in ["00", "01", "007"] {
        assert_eq!(Decimal::parse(bad), None, "{bad}");
    }
    // Past the short path's 18 digits the general path still reads it exactly.
    assert_eq!(
        Decimal::parse("1234567890123456789").map(|d| d.to_string()),
        Some("1234567890123456789".to_owned())
    );
}

#[test]
fn midpoints_floors_and_cut_quotients_are_exact() {
    let d = |s: &str| Decimal::parse(s).unwrap();
    assert_eq!(d("911.7").midpoint(d("1755.9")), Some(d("1333.8")));
    assert_eq!(d("5").midpoint(d("6")), Some(d("5.5")));
    assert_eq!(d("2.5").floor(), Some(d("2")));
    assert_eq!(d("-2.5").floor(), Some(d("-3")));
    assert_eq!(d("7").floor(), Some(d("7")));
    // 100 × 12 / 120 = 10 exactly; 100 × 10 / 120 = 8.333…, cut below.
    assert_eq!(d("1200").div_floor(d("120"), 6), Some(d("10")));
    assert_eq!(d("1000").div_floor(d("120"), 6), Some(d("8.333333")));
    assert_eq!(d("-1").div_floor(d("3"), 2), Some(d("-0.34")));
    assert_eq!(d("1").div_floor(d("0"), 2), None);
    assert_eq!(Decimal::unit(3), Some(d("0.001")));
}

#[test]
fn whole_prefix_reads_the_digits_parse_reads_and_leaves_the_rest() {
    // Digits followed by anything: the number and how many digits it took.
    for (text, value, len) in [
        ("0", "0", 1),
        ("7,", "7", 1),
        ("120}", "120", 3),
        ("12.5", "12", 2),
        ("1e3", "1", 1),
        ("999999999999999999 ", "999999999999999999", 18),
    ] {
        let (number, taken) = Decimal::whole_prefix(text.as_bytes()).unwrap();
        assert_eq!((number, taken), (n(value), len), "{text:?}");
    }
    // No digit first, a leading zero, or more than 18 digits: left to `parse`.
    for text in [
        "",
        "-1",
        "+1",
        " 1",
        "01",
        "00",
        "0123",
        "1234567890123456789",
    ] {
        assert_eq!(Decimal::whole_prefix(text.as_bytes()), None, "{text:?}");
    }
    // `parse` still reads the long ones, which its general way decides.
    assert_eq!(n("1234567890123456789").to_string(), "1234567890123456789");
    assert_eq!(Decimal::parse("0123"), None);
}

//! Field validation for account data. Each check returns the cleaned value or a message
//! that says what is wrong in words a user can act on.

/// Trims and lowercases an email address and checks its shape (RFC 5321 lengths).
pub fn email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("enter your email address".into());
    }
    if email.chars().count() > 254 {
        return Err("an email address has at most 254 characters".into());
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err("an email address needs an @, as in name@clinic.org".into());
    };
    let shape_ok = !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.contains(char::is_whitespace)
        && !email.chars().any(char::is_control)
        && !local.contains('@')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        // And one a message can be addressed to (no `..`, quotes or parentheses).
        && email.parse::<lettre::Address>().is_ok();
    if shape_ok {
        Ok(email)
    } else {
        Err("this is not a valid email address, e.g. name@clinic.org".into())
    }
}

/// A US National Provider Identifier: 10 digits whose last is a Luhn check digit computed
/// with the card-issuer prefix 80840.
pub fn npi(raw: &str) -> Result<String, String> {
    let npi: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if npi.len() != 10 || !npi.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an NPI is exactly 10 digits".into());
    }
    let digits: Vec<u32> = npi.bytes().map(|b| u32::from(b - b'0')).collect();
    // Luhn over the first nine digits, doubling from the rightmost of them, plus 24 for
    // the 80840 prefix.
    let mut sum = 24;
    for (i, digit) in digits[..9].iter().rev().enumerate() {
        sum += if i % 2 == 0 {
            let doubled = digit * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            *digit
        };
    }
    let check = (10 - sum % 10) % 10;
    if check == digits[9] {
        Ok(npi)
    } else {
        Err("this NPI's check digit does not match: please check the number".into())
    }
}

/// The name as it must appear on certificates.
pub fn full_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("enter your full name as it should appear on certificates".into());
    }
    if name.chars().count() > 120 {
        return Err("a name has at most 120 characters".into());
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot contain control characters".into());
    }
    Ok(name)
}

/// A free-text identifier (licence number, board ID): optional, at most `max` characters
/// of letters, digits, spaces and `-./`.
pub fn identifier(raw: &str, max: usize) -> Result<Option<String>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))
    {
        return Err("use letters, digits, spaces and - . / only".into());
    }
    Ok(Some(value.to_owned()))
}

/// A two-letter state or territory code, upper-cased.
pub fn state(raw: &str) -> Result<Option<String>, String> {
    let value = raw.trim().to_uppercase();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(Some(value))
    } else {
        Err("use the two-letter state code, e.g. NM".into())
    }
}

/// Birth month and day (no year: accreditation reporting asks for these only).
pub fn birth_month_day(month: Option<u8>, day: Option<u8>) -> Result<Option<(u8, u8)>, String> {
    match (month, day) {
        (None, None) => Ok(None),
        (Some(month), Some(day)) => {
            let days = match month {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 => 29,
                _ => return Err("the month must be 1 to 12".into()),
            };
            if (1..=days).contains(&day) {
                Ok(Some((month, day)))
            } else {
                Err(format!("month {month} has days 1 to {days}"))
            }
        }
        _ => Err("give both the month and the day, or neither".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            email("  Nurse.Lee@Clinic.ORG ").as_deref(),
            Ok("nurse.lee@clinic.org")
        );
        for bad in [
            "",
            "nurse",
            "nurse@",
            "@clinic.org",
            "nurse@clinic",
            "a b@clinic.org",
            "nurse@clinic..org",
        ] {
            assert!(email(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(email(&format!("{}@clinic.org", "a".repeat(65))).is_err());
        assert!(email(&format!("a@{}.org", "b".repeat(260))).is_err());
    }

    #[test]
    fn npi_check_digit_is_verified() {
        // CMS's published example NPI.
        assert_eq!(npi("1234567893").as_deref(), Ok("1234567893"));
        assert_eq!(npi(" 1234 567 893 ").as_deref(), Ok("1234567893"));
        assert!(
            npi("1234567890")
                .expect_err("refused")
                .contains("check digit")
        );
        assert!(npi("123456789").expect_err("refused").contains("10 digits"));
        assert!(npi("12345678ab").is_err());
    }

    #[test]
    fn names_and_identifiers() {
        assert_eq!(
            full_name("  Amara   Okafor ").as_deref(),
            Ok("Amara Okafor")
        );
        assert!(full_name(" ").is_err());
        assert!(full_name(&"x".repeat(121)).is_err());
        assert_eq!(identifier(" RN-12345 ", 40), Ok(Some("RN-12345".into())));
        assert_eq!(identifier("", 40), Ok(None));
        assert!(identifier("<script>", 40).is_err());
        assert_eq!(state("nm"), Ok(Some("NM".into())));
        assert!(state("New Mexico").is_err());
    }

    #[test]
    fn birth_days_exist() {
        assert_eq!(birth_month_day(Some(2), Some(29)), Ok(Some((2, 29))));
        assert!(birth_month_day(Some(4), Some(31)).is_err());
        assert!(birth_month_day(Some(13), Some(1)).is_err());
        assert!(birth_month_day(Some(1), None).is_err());
        assert_eq!(birth_month_day(None, None), Ok(None));
    }
}

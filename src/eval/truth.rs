//! Three-valued (Kleene) truth: missing data that could change an answer is `Unknown`.

use std::fmt;

/// `met`, `not_met` or `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    /// The condition holds.
    Met,
    /// The condition does not hold, whatever the missing data would be.
    NotMet,
    /// Missing data could make it hold or not.
    Unknown,
}

impl Truth {
    /// From a plain boolean.
    pub fn from_bool(value: bool) -> Truth {
        if value {
            Truth::Met
        } else {
            Truth::NotMet
        }
    }

    /// Kleene negation.
    #[expect(
        clippy::should_implement_trait,
        reason = "Kleene negation reads best as a method beside and/or"
    )]
    pub fn not(self) -> Truth {
        match self {
            Truth::Met => Truth::NotMet,
            Truth::NotMet => Truth::Met,
            Truth::Unknown => Truth::Unknown,
        }
    }

    /// Kleene conjunction.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::NotMet, _) | (_, Truth::NotMet) => Truth::NotMet,
            (Truth::Met, Truth::Met) => Truth::Met,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction.
    pub fn or(self, other: Truth) -> Truth {
        self.not().and(other.not()).not()
    }

    /// The name used in the output contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Truth::Met => "met",
            Truth::NotMet => "not_met",
            Truth::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Truth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Truth::{self, *};

    const ALL: [Truth; 3] = [Met, NotMet, Unknown];

    #[test]
    fn kleene_tables() {
        assert_eq!(Unknown.and(NotMet), NotMet);
        assert_eq!(Unknown.and(Met), Unknown);
        assert_eq!(Unknown.or(Met), Met);
        assert_eq!(Unknown.or(NotMet), Unknown);
        assert_eq!(Unknown.not(), Unknown);
    }

    #[test]
    fn de_morgan_holds_for_every_pair() {
        for a in ALL {
            for b in ALL {
                assert_eq!(a.and(b).not(), a.not().or(b.not()));
                assert_eq!(a.and(b), b.and(a));
                assert_eq!(a.or(b), b.or(a));
            }
        }
    }
}

//! The events a verdict rests on. Most verdicts rest on one to three events, and millions
//! of verdicts are made: the first few positions are kept inline, so those cost no
//! allocation.

/// Positions in the sorted timeline, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    inline: [usize; INLINE],
    len: usize,
    spilled: Vec<usize>,
}

const INLINE: usize = 3;

impl Positions {
    /// Add a position at the end.
    pub fn push(&mut self, position: usize) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = position;
                self.len += 1;
            }
            None => self.spilled.push(position),
        }
    }

    /// Add every position of `other`, in order.
    pub fn extend(&mut self, other: &Positions) {
        for position in other.iter() {
            self.push(position);
        }
    }

    /// Whether `position` is among them.
    pub fn contains(&self, position: usize) -> bool {
        self.iter().any(|p| p == position)
    }

    /// The positions, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let inline = self.inline.get(..self.len).unwrap_or_default();
        inline.iter().chain(&self.spilled).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::Positions;

    #[test]
    fn keeps_order_past_the_inline_ones() {
        let mut a = Positions::default();
        for p in [5, 1, 9] {
            a.push(p);
        }
        let mut b = Positions::default();
        for p in [7, 2] {
            b.push(p);
        }
        a.extend(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [5, 1, 9, 7, 2]);
        assert!(a.contains(2) && a.contains(5) && !a.contains(3));
        assert_eq!(Positions::default().iter().count(), 0);
    }
}

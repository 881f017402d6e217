//! The built-in vocabulary of the patient timeline format: event kinds and
//! the attributes each kind may carry, with their types and ranges.
//!
//! The contract (`timeline-format.md`, "Event") is the source of every entry.
//! Kinds and attributes outside it are allowed in timelines; the vocabulary
//! only says what the known ones mean and how to check them.

/// The type of an attribute's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// `true` or `false`.
    Bool,
    /// A number, optionally bounded (both ends inclusive) and whole.
    Number {
        /// The smallest allowed value.
        min: Option<i64>,
        /// The largest allowed value.
        max: Option<i64>,
        /// Whether only whole numbers are allowed.
        integer: bool,
    },
    /// Free text.
    Text,
    /// One of a fixed set of words, compared case-sensitively.
    Category(&'static [&'static str]),
    /// A list of free-text strings.
    TextList,
}

impl AttrType {
    /// A short description for messages: "a number from 0 to 100",
    /// "one of CR, PR, SD, PD, NE".
    pub fn describe(&self) -> String {
        match *self {
            AttrType::Bool => "true or false".to_owned(),
            AttrType::Number { min, max, integer } => {
                let noun = if integer {
                    "a whole number"
                } else {
                    "a number"
                };
                match (min, max) {
                    (Some(lo), Some(hi)) => format!("{noun} from {lo} to {hi}"),
                    (Some(lo), None) => format!("{noun} ≥ {lo}"),
                    (None, Some(hi)) => format!("{noun} ≤ {hi}"),
                    (None, None) => noun.to_owned(),
                }
            }
            AttrType::Text => "a string".to_owned(),
            AttrType::Category(values) => format!("one of {}", values.join(", ")),
            AttrType::TextList => "a list of strings".to_owned(),
        }
    }
}

/// One attribute of one event kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrSpec {
    /// The event kind that carries the attribute (`imaging`).
    pub kind: &'static str,
    /// The attribute's key in the event object (`viable_percent`).
    pub name: &'static str,
    /// The type and range of its value.
    pub ty: AttrType,
    /// What it means, in one line.
    pub meaning: &'static str,
    /// Values a free-text attribute often has (`CT`, `AFP`, `ng/mL`): read, they are kept
    /// as this text rather than copied, as category values are. Any other text is
    /// allowed all the same.
    pub words: &'static [&'static str],
}

/// The event kinds and attributes a checker and a loader know about.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    kinds: Vec<(&'static str, &'static str)>,
    attributes: Vec<AttrSpec>,
    /// For each kind, its attributes ordered by name length, then name, with a hashed
    /// table over them: the reader looks up every attribute of every event here.
    by_kind: Vec<(&'static str, KindTable)>,
}

/// The order attribute names are kept in for lookups: by length, then by text. Names
/// mostly differ in length, so most comparisons never look at the text.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The attributes of one event kind, for looking names up quickly.
#[derive(Clone, Copy, Debug)]
pub struct KindAttributes<'v>(&'v KindTable);

impl<'v> KindAttributes<'v> {
    /// The attribute `name` of this kind.
    pub fn get(self, name: &str) -> Option<&'v AttrSpec> {
        self.lookup(name).map(|(_, spec)| spec)
    }

    /// The attribute `name` of this kind with its rank: its place in [`name_order`] among
    /// the kind's attributes, so that known names sort by rank as they sort by text.
    pub fn lookup(self, name: &str) -> Option<(usize, &'v AttrSpec)> {
        let table = self.0;
        let mask = table.slots.len().wrapping_sub(1);
        let mut at = slot_hash(name.as_bytes()) & mask;
        // The table is at most half full, so a probe meets an empty slot well before it
        // has seen every slot; the bound only makes that plain.
        for _ in 0..table.slots.len() {
            let rank = usize::from(*table.slots.get(at)?).checked_sub(1)?;
            let spec = table.specs.get(rank)?;
            if spec.name == name {
                return Some((rank, spec));
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// How many attributes this kind has.
    pub fn count(self) -> usize {
        self.0.specs.len()
    }

    /// The attribute of this rank.
    pub fn by_rank(self, rank: usize) -> Option<&'v AttrSpec> {
        self.0.specs.get(rank)
    }
}

/// A kind's attributes in [`name_order`], and an open-addressed table of their ranks + 1
/// (0 for an empty slot) under [`slot_hash`]. The binary search it replaced cost the
/// reader about 120 instructions an attribute, most of them in `memcmp` on names of equal
/// length (`hepatic_encephalopathy`, `refractory_ascites`…); a probe here usually
/// compares one name.
#[derive(Clone, Debug)]
pub struct KindTable {
    specs: Vec<AttrSpec>,
    slots: Vec<u16>,
}

impl KindTable {
    fn new(specs: Vec<AttrSpec>) -> KindTable {
        let size = (specs.len() * 2 + 1).next_power_of_two().max(8);
        let mut slots = vec![0u16; size];
        for (rank, spec) in specs.iter().enumerate() {
            let mut at = slot_hash(spec.name.as_bytes()) & (size - 1);
            while slots.get(at).is_some_and(|slot| *slot != 0) {
                at = (at + 1) & (size - 1);
            }
            if let (Some(slot), Ok(value)) = (slots.get_mut(at), u16::try_from(rank + 1)) {
                *slot = value;
            }
        }
        KindTable { specs, slots }
    }
}

/// A hash of a name from its length and its first and last eight bytes, which tell the
/// vocabulary's names apart (`diffuse_arterioportal_shunt` and
/// `diffuse_arteriovenous_shunt` differ only inside, but not in their last eight).
fn slot_hash(name: &[u8]) -> usize {
    let word = |bytes: &[u8]| match <[u8; 8]>::try_from(bytes) {
        Ok(eight) => u64::from_le_bytes(eight),
        Err(_) => bytes
            .iter()
            .rev()
            .fold(0u64, |word, byte| (word << 8) | u64::from(*byte)),
    };
    let (head, tail) = match (name.get(..8), name.len().checked_sub(8)) {
        (Some(head), Some(from)) => (head, name.get(from..).unwrap_or_default()),
        _ => (name, &[][..]),
    };
    let mixed = (word(head) ^ word(tail).rotate_left(29) ^ name.len() as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 40) as usize
}

const MRECIST: &[&str] = &["CR", "PR", "SD", "PD", "NE"];

/// The liver's segments and lobes, as sessions name their target (the synthetic
/// cohort's list is in the order its generator draws from).
#[rustfmt::skip]
const SEGMENTS: &[&str] = &["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "right lobe", "left lobe"];

const fn attr(
    kind: &'static str,
    name: &'static str,
    ty: AttrType,
    meaning: &'static str,
) -> AttrSpec {
    AttrSpec {
        kind,
        name,
        ty,
        meaning,
        words: &[],
    }
}

/// A free-text attribute with the values it often has ([`AttrSpec::words`]).
const fn text(
    kind: &'static str,
    name: &'static str,
    words: &'static [&'static str],
    meaning: &'static str,
) -> AttrSpec {
    AttrSpec {
        words,
        ..attr(kind, name, Text, meaning)
    }
}

const fn range(min: i64, max: i64, integer: bool) -> AttrType {
    AttrType::Number {
        min: Some(min),
        max: Some(max),
        integer,
    }
}

const NON_NEGATIVE: AttrType = AttrType::Number {
    min: Some(0),
    max: None,
    integer: false,
};
const COUNT: AttrType = AttrType::Number {
    min: Some(0),
    max: None,
    integer: true,
};
const ANY_NUMBER: AttrType = AttrType::Number {
    min: None,
    max: None,
    integer: false,
};

use AttrType::{Bool, Category, Text, TextList};

const KINDS: &[(&str, &str)] = &[
    ("tace", "one TACE session"),
    ("imaging", "one response assessment (CT, MRI, …)"),
    ("lab", "one laboratory value"),
    ("status", "one clinical assessment"),
];

// One line per attribute mirrors the contract's tables.
#[rustfmt::skip]
const BUILTIN: &[AttrSpec] = &[
    text("tace", "technique", &["cTACE", "DEB-TACE", "TAE", "B-TACE"], "cTACE, DEB-TACE, TAE, B-TACE, …"),
    attr("tace", "agents", TextList, "chemotherapeutic agents used, e.g. [\"epirubicin\"]"),
    attr("tace", "selective", Bool, "(super)selective catheterisation"),
    attr("tace", "adequate", Bool, "the operator judged the session adequately performed / standardised"),
    attr("tace", "feeding_artery_reanalysis", Bool, "feeding arteries were re-analysed for this session"),
    text("tace", "target", SEGMENTS, "treated area, e.g. S8 or right lobe"),
    attr("tace", "intent", Category(&["curative", "palliative"]), "curative or palliative"),
    text("imaging", "modality", &["CT", "MRI", "CEUS", "US"], "CT, MRI, CEUS, US"),
    attr("imaging", "contrast", Bool, "contrast-enhanced (dynamic) study"),
    attr("imaging", "mrecist", Category(MRECIST), "overall mRECIST response as reported"),
    attr("imaging", "mrecist_target", Category(MRECIST), "mRECIST response of the target lesions only"),
    attr("imaging", "target_viable_sum_mm", NON_NEGATIVE, "sum of the longest viable (enhancing) diameters of the target lesions"),
    attr("imaging", "largest_diameter_mm", NON_NEGATIVE, "longest diameter of the largest intrahepatic tumour"),
    attr("imaging", "viable_percent", range(0, 100, false), "viable (enhancing) share of the treated tumour"),
    attr("imaging", "lipiodol_percent", range(0, 100, false), "lipiodol deposition in the treated tumour"),
    attr("imaging", "tumor_count", COUNT, "number of intrahepatic tumours"),
    attr("imaging", "new_intrahepatic_lesion", Bool, "a new intrahepatic lesion is seen"),
    attr("imaging", "vascular_invasion", Bool, "macrovascular invasion (e.g. portal vein tumour thrombus)"),
    attr("imaging", "extrahepatic_spread", Bool, "extrahepatic metastasis"),
    text("lab", "test", &["AFP", "PIVKA-II", "AST", "ALT", "bilirubin", "albumin"], "AFP, PIVKA-II, AST, ALT, bilirubin, albumin, …"),
    attr("lab", "value", ANY_NUMBER, "the result"),
    text("lab", "unit", &["ng/mL", "mAU/mL", "U/L", "umol/L", "g/L"], "e.g. ng/mL, mAU/mL, U/L, umol/L, g/L"),
    attr("status", "child_pugh_score", range(5, 15, true), "Child-Pugh score"),
    attr("status", "child_pugh_class", Category(&["A", "B", "C"]), "Child-Pugh class"),
    attr("status", "ecog", range(0, 5, true), "ECOG performance status"),
    attr("status", "bclc", Category(&["0", "A", "B", "C", "D"]), "BCLC stage"),
    attr("status", "severe_jaundice", Bool, "severe jaundice"),
    attr("status", "hepatic_encephalopathy", Bool, "hepatic encephalopathy"),
    attr("status", "refractory_ascites", Bool, "refractory ascites"),
    attr("status", "hepatorenal_syndrome", Bool, "hepatorenal syndrome"),
    attr("status", "hepatic_artery_occlusion", Bool, "the hepatic artery cannot be catheterised"),
    attr("status", "diffuse_arterioportal_shunt", Bool, "diffuse arterioportal shunt"),
    attr("status", "diffuse_arteriovenous_shunt", Bool, "diffuse arteriovenous shunt"),
];

/// The values the contract lists for free-text attributes. Other values are allowed (the
/// lists end with "…"), but a definition that compares with a value not listed is most
/// often misspelt (`deb-TACE`), so the checker warns.
const LISTED: &[(&str, &[&str])] = &[
    ("technique", &["cTACE", "DEB-TACE", "TAE", "B-TACE"]),
    ("modality", &["CT", "MRI", "CEUS", "US"]),
    (
        "test",
        &["AFP", "PIVKA-II", "AST", "ALT", "bilirubin", "albumin"],
    ),
    (
        "unit",
        &["ng/mL", "mAU/mL", "U/L", "umol/L", "g/L", "mg/dL", "g/dL"],
    ),
];

impl Vocabulary {
    /// The values the contract lists for a free-text attribute, if it lists any.
    pub fn listed_values(&self, name: &str) -> Option<&'static [&'static str]> {
        LISTED
            .iter()
            .find(|(attribute, _)| *attribute == name)
            .map(|(_, values)| *values)
    }

    /// The vocabulary of the timeline format, version 1.
    pub fn builtin() -> Vocabulary {
        let by_kind = KINDS
            .iter()
            .map(|(kind, _)| {
                let mut specs: Vec<AttrSpec> = BUILTIN
                    .iter()
                    .filter(|s| s.kind == *kind)
                    .cloned()
                    .collect();
                specs.sort_by(|a, b| name_order(a.name, b.name));
                (*kind, KindTable::new(specs))
            })
            .collect();
        Vocabulary {
            kinds: KINDS.to_vec(),
            attributes: BUILTIN.to_vec(),
            by_kind,
        }
    }

    /// The attributes of a known kind, for quick lookups by name.
    pub fn kind_attributes(&self, kind: &str) -> Option<KindAttributes<'_>> {
        self.kind_entry(kind).map(|(_, _, attributes)| attributes)
    }

    /// A known kind's place among the kinds, its own text and its attributes: the
    /// reader's lookup of an event's kind, in one search.
    pub fn kind_entry(&self, kind: &str) -> Option<(usize, &'static str, KindAttributes<'_>)> {
        self.by_kind
            .iter()
            .enumerate()
            .find(|(_, (k, _))| *k == kind)
            .map(|(at, (k, specs))| (at, *k, KindAttributes(specs)))
    }

    /// Whether `kind` is a known event kind.
    pub fn is_kind(&self, kind: &str) -> bool {
        self.kinds.iter().any(|(name, _)| *name == kind)
    }

    /// The vocabulary's own text of a known kind (so that events can share it).
    pub fn known_kind(&self, kind: &str) -> Option<&'static str> {
        self.kinds
            .iter()
            .find(|(name, _)| *name == kind)
            .map(|(name, _)| *name)
    }

    /// The known event kinds, in the contract's order.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.iter().map(|(name, _)| *name)
    }

    /// What a known event kind stands for ("one TACE session").
    pub fn kind_meaning(&self, kind: &str) -> Option<&'static str> {
        self.kinds
            .iter()
            .find(|(name, _)| *name == kind)
            .map(|(_, meaning)| *meaning)
    }

    /// The attribute `name` of `kind` (kind None: of any kind; first match).
    pub fn attribute(&self, kind: Option<&str>, name: &str) -> Option<&AttrSpec> {
        self.attributes
            .iter()
            .find(|spec| spec.name == name && kind.is_none_or(|k| spec.kind == k))
    }

    /// Every known attribute, grouped by kind in the contract's order.
    pub fn attributes(&self) -> impl Iterator<Item = &AttrSpec> + '_ {
        self.attributes.iter()
    }
}

/// Closest candidates by edit distance (Damerau-Levenshtein or Levenshtein, case-insensitive), best first, at most 3, only those within distance max(2, len/3).
///
/// Distance is the optimal-string-alignment variant (adjacent swaps cost 1)
/// over Unicode scalar values; `len` is the length of `word` in characters.
/// Ties keep the candidates' order, and repeated candidates count once.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    // Short words are too easily "close" to anything: `PX` is one letter from PR and PD.
    let limit = match word.len() {
        0..=2 => 0,
        3..=5 => 1,
        n => (n / 3).max(2),
    };
    let mut scored: Vec<(usize, &'a str)> = Vec::new();
    for candidate in candidates {
        if scored.iter().any(|(_, seen)| *seen == candidate) {
            continue;
        }
        let other: Vec<char> = candidate.to_lowercase().chars().collect();
        // Cheap bound first: the distance is at least the length difference.
        if word.len().abs_diff(other.len()) > limit {
            continue;
        }
        let distance = edit_distance(&word, &other);
        if distance <= limit {
            scored.push((distance, candidate));
        }
    }
    scored.sort_by_key(|(distance, _)| *distance);
    scored
        .into_iter()
        .take(3)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of adjacent characters each cost 1.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    // Rolling rows of the dynamic-programming table; the swap rule looks two rows back.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut last_a: Option<char> = None;
    for (i, &ca) in a.iter().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        let mut last_b: Option<char> = None;
        for (j, &cb) in b.iter().enumerate() {
            // `get` keeps this panic-free; every index exists by construction.
            let cell = |r: &[usize], k: usize| r.get(k).copied().unwrap_or(usize::MAX);
            let substitute = cell(&previous, j).saturating_add(usize::from(ca != cb));
            let delete = cell(&previous, j + 1).saturating_add(1);
            let insert = cell(&row, j).saturating_add(1);
            let mut best = substitute.min(delete).min(insert);
            if j > 0 && last_a == Some(cb) && last_b == Some(ca) {
                best = best.min(cell(&before, j - 1).saturating_add(1));
            }
            row.push(best);
            last_b = Some(cb);
        }
        before = std::mem::replace(&mut previous, row);
        last_a = Some(ca);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        edit_distance(&a, &b)
    }

    #[test]
    fn edit_distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ecog", "ecgo"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("ca", "abc"), 3); // OSA, not full Damerau
        assert_eq!(distance("mrecist", "mrecist"), 0);
    }

    #[test]
    fn suggestions_are_close_and_ordered() {
        let vocab = Vocabulary::builtin();
        let names = || vocab.attributes().map(|a| a.name);
        assert_eq!(suggest("viable_precent", names()), ["viable_percent"]);
        assert_eq!(suggest("MRECIST", names()), ["mrecist"]);
        assert_eq!(suggest("ecgo", names()), ["ecog"]);
        assert_eq!(suggest("imagng", vocab.kinds()), ["imaging"]);
        assert!(suggest("completely_unrelated", names()).is_empty());
        // Two letters are too short to guess from: PX is as close to PR as to PD.
        assert!(suggest("PX", ["CR", "PR", "SD", "PD", "NE"]).is_empty());
        assert_eq!(
            suggest("abcd", ["abce", "abcd", "abcd", "xbcy"]),
            ["abcd", "abce"]
        );
        assert!(suggest("", ["a", "bcd"]).is_empty());
    }

    #[test]
    fn builtin_vocabulary() {
        let vocab = Vocabulary::builtin();
        assert_eq!(
            vocab.kinds().collect::<Vec<_>>(),
            ["tace", "imaging", "lab", "status"]
        );
        assert!(vocab.is_kind("lab") && !vocab.is_kind("Lab") && !vocab.is_kind("biopsy"));
        assert_eq!(vocab.kind_meaning("tace"), Some("one TACE session"));
        let viable = vocab.attribute(Some("imaging"), "viable_percent").unwrap();
        assert_eq!(
            viable.ty,
            AttrType::Number {
                min: Some(0),
                max: Some(100),
                integer: false
            }
        );
        assert_eq!(viable.ty.describe(), "a number from 0 to 100");
        assert!(vocab.attribute(Some("lab"), "viable_percent").is_none());
        assert_eq!(vocab.attribute(None, "ecog").unwrap().kind, "status");
        assert_eq!(
            vocab.attribute(None, "bclc").unwrap().ty.describe(),
            "one of 0, A, B, C, D"
        );
        assert_eq!(
            vocab.attribute(None, "tumor_count").unwrap().ty.describe(),
            "a whole number ≥ 0"
        );
        assert_eq!(
            vocab
                .attribute(Some("imaging"), "largest_diameter_mm")
                .unwrap()
                .ty
                .describe(),
            "a number ≥ 0"
        );
        assert_eq!(vocab.attributes().count(), 33);
        // Attribute names are unique across kinds, so `attribute(None, _)` is unambiguous.
        let mut names: Vec<_> = vocab.attributes().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 33);
        assert!(vocab.attributes().all(|a| vocab.is_kind(a.kind)));
    }
}

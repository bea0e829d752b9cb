//! Size limits on what a target sends: the cap on a response body read (a larger
//! body is a target error, read no further), the excerpt of a body kept in stored
//! exchanges, and sizes as users write them (`8MiB`, `512KiB`, `1048576`).

use serde::{Deserialize, Deserializer};
use std::fmt;

/// Largest response body read unless raised (`--max-body`, `max_body:`).
pub const DEFAULT_MAX_BODY: u64 = 8 * 1024 * 1024;
/// Most body text an exchange kept in a result holds (reports trim far shorter).
pub const STORED_BODY_EXCERPT: usize = 64 * 1024;

/// A size in bytes, written as a number of bytes or with a unit: `B`, `KB`/`KiB`,
/// `MB`/`MiB`, `GB`/`GiB` (both spellings are powers of 1024; `K`, `M`, `G` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ByteSize {
    pub fn bytes(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if n >= size && n.is_multiple_of(size) {
                return write!(f, "{} {unit}", n / size);
            }
        }
        write!(f, "{n} bytes")
    }
}

impl std::str::FromStr for ByteSize {
    type Err = String;

    fn from_str(text: &str) -> Result<ByteSize, String> {
        let bad = || {
            format!(
                "`{text}` is not a size: write e.g. 8MiB, 512KiB or a number of bytes (at least 1)"
            )
        };
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (digits, unit) = t.split_at(split);
        let number: u64 = digits.parse().map_err(|_| bad())?;
        let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => 1 << 10,
            "m" | "mb" | "mib" => 1 << 20,
            "g" | "gb" | "gib" => 1 << 30,
            _ => return Err(bad()),
        };
        match number.checked_mul(factor) {
            Some(n) if n > 0 => Ok(ByteSize(n)),
            _ => Err(bad()),
        }
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<ByteSize, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        let text = match Raw::deserialize(de)? {
            Raw::Number(n) => n.to_string(),
            Raw::Text(t) => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_and_without_units() {
        let p = |t: &str| t.parse::<ByteSize>().map(ByteSize::bytes);
        assert_eq!(p("1048576"), Ok(1 << 20));
        assert_eq!(p("8MiB"), Ok(8 << 20));
        assert_eq!(p("8 MB"), Ok(8 << 20));
        assert_eq!(p("512kib"), Ok(512 << 10));
        assert_eq!(p("1G"), Ok(1 << 30));
        for bad in ["", "0", "MiB", "8 parsecs", "-1", "99999999999999999999GiB"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert_eq!(ByteSize(8 << 20).to_string(), "8 MiB");
        assert_eq!(ByteSize(1000).to_string(), "1000 bytes");
    }
}

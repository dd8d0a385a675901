//! Crate versions (`MAJOR.MINOR.PATCH`) and Cargo's rule for which bumps are compatible.

use std::fmt;
use std::str::FromStr;

use anyhow::{Context, Result, bail};

/// A released or planned version. Pre-release and build suffixes are not used by this project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    /// Whether Cargo treats `newer` as compatible with `self` (a `^self` requirement accepts it):
    /// the same leftmost non-zero component. On 0.x a breaking change therefore bumps the minor
    /// version, and on 0.0.x every release is breaking.
    pub fn is_compatible_with(self, newer: Version) -> bool {
        match (self.major, self.minor) {
            (0, 0) => newer == self,
            (0, minor) => newer.major == 0 && newer.minor == minor && newer >= self,
            (major, _) => newer.major == major && newer >= self,
        }
    }

    /// The smallest version after `self` that may carry a breaking change (0.x: the next minor).
    pub fn next_breaking(self) -> Version {
        match (self.major, self.minor) {
            (0, 0) => Version { patch: self.patch + 1, ..self },
            (0, minor) => Version { major: 0, minor: minor + 1, patch: 0 },
            (major, _) => Version { major: major + 1, minor: 0, patch: 0 },
        }
    }
}

impl FromStr for Version {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            bail!("`{text}` is not a version of the form MAJOR.MINOR.PATCH");
        };
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || (part.len() > 1 && part.starts_with('0'))
            {
                bail!("`{text}` is not a version of the form MAJOR.MINOR.PATCH (no pre-release suffix)");
            }
            part.parse::<u64>().with_context(|| format!("`{text}`: a component is too large"))
        };
        Ok(Version { major: number(major)?, minor: number(minor)?, patch: number(patch)? })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn compatibility_follows_cargo() {
        assert!(v("0.1.0").is_compatible_with(v("0.1.3")));
        assert!(!v("0.1.0").is_compatible_with(v("0.2.0")));
        assert!(!v("0.0.1").is_compatible_with(v("0.0.2")));
        assert!(v("1.2.0").is_compatible_with(v("1.9.0")));
        assert!(!v("1.2.0").is_compatible_with(v("2.0.0")));
        assert_eq!(v("0.1.4").next_breaking(), v("0.2.0"));
        assert_eq!(v("1.1.4").next_breaking(), v("2.0.0"));
    }

    #[test]
    fn only_plain_versions_parse() {
        for bad in ["1.2", "1.2.3-beta.1", "01.2.3", "a.b.c", "1.2.3.4", ""] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
    }
}

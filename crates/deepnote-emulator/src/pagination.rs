//! Page sizes and opaque, authenticated page tokens.
//!
//! A token names the sequence number of the last item served, and carries an HMAC over that
//! number, the list it belongs to (a workspace's projects with one `nameContains`, or a
//! notebook's runs) and the store's epoch. Because lists are ordered by sequence numbers that
//! never repeat, resuming "after the last one served" neither skips nor repeats an item however
//! many are created or deleted between pages. A forged token, one from another list or filter,
//! or one from before a reset fails the HMAC and is a 400.

use crate::error::Refusal;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The page size when `pageSize` is not given (runs in both dialects, projects in the spec
/// dialect).
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The page size of `GET /projects` without `pageSize` in the live dialect (the live
/// reference's default).
pub const LIVE_PROJECTS_PAGE_SIZE: usize = 50;
/// The largest `pageSize` accepted (the spec's maximum); the smallest is 1.
pub const MAX_PAGE_SIZE: usize = 100;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks page tokens with a per-emulator secret.
#[derive(Clone)]
pub struct Paginator {
    secret: [u8; 32],
}

impl std::fmt::Debug for Paginator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Paginator { .. }")
    }
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// How many items to return.
    pub size: usize,
    /// The sequence number of the last item of the previous page, if any.
    pub cursor: Option<u64>,
}

impl Page {
    /// This page's items out of `items` (already past the cursor, in list order), and the
    /// sequence number the next page's token starts after, when there is a next page.
    pub fn take<'a, T>(
        self,
        items: impl Iterator<Item = &'a T>,
        seq: impl Fn(&T) -> u64,
    ) -> (Vec<&'a T>, Option<u64>) {
        let mut items: Vec<&T> = items.take(self.size + 1).collect();
        let more = items.len() > self.size;
        items.truncate(self.size);
        let next = items.last().filter(|_| more).map(|last| seq(last));
        (items, next)
    }
}

impl Paginator {
    /// A paginator with this secret.
    pub fn new(secret: [u8; 32]) -> Self {
        Paginator { secret }
    }

    fn mac(&self, list: &str, epoch: u64, cursor: u64) -> [u8; 16] {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("any key length");
        mac.update(list.as_bytes());
        mac.update(&[0]);
        mac.update(&epoch.to_be_bytes());
        mac.update(&cursor.to_be_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// The token that resumes `list` after the item with sequence number `cursor`.
    pub fn token(&self, list: &str, epoch: u64, cursor: u64) -> String {
        let mut bytes = cursor.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.mac(list, epoch, cursor));
        crate::codec::hex(&bytes)
    }

    /// Read `pageSize` (`default` when absent) and `pageToken` for `list`.
    pub fn page(
        &self,
        list: &str,
        epoch: u64,
        page_size: Option<&str>,
        page_token: Option<&str>,
        default: usize,
    ) -> Result<Page, Refusal> {
        let size = match page_size {
            None => default,
            Some(s) => match s.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_PAGE_SIZE as i64).contains(&n) => n as usize,
                _ => {
                    return Err(Refusal::bad(format!(
                        "pageSize must be an integer from 1 to {MAX_PAGE_SIZE}"
                    )));
                }
            },
        };
        let cursor = match page_token {
            None | Some("") => None,
            Some(t) => Some(self.check(list, epoch, t).ok_or_else(|| {
                Refusal::bad("pageToken is invalid, expired, or belongs to another query")
            })?),
        };
        Ok(Page { size, cursor })
    }

    fn check(&self, list: &str, epoch: u64, token: &str) -> Option<u64> {
        let bytes = crate::codec::unhex(token)?;
        if bytes.len() != 24 {
            return None;
        }
        let cursor = u64::from_be_bytes(bytes[..8].try_into().ok()?);
        let expected = self.mac(list, epoch, cursor);
        let ok: bool = subtle::ConstantTimeEq::ct_eq(&expected[..], &bytes[8..]).into();
        ok.then_some(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_forgery() {
        let p = Paginator::new([7; 32]);
        let t = p.token("projects:ws", 0, 42);
        assert_eq!(p.check("projects:ws", 0, &t), Some(42));
        assert_eq!(p.check("projects:other", 0, &t), None);
        assert_eq!(p.check("projects:ws", 1, &t), None);
        let mut forged = t.clone();
        forged.replace_range(0..2, "ff");
        assert_eq!(p.check("projects:ws", 0, &forged), None);
        assert_eq!(p.check("projects:ws", 0, "zz"), None);
        assert_eq!(Paginator::new([8; 32]).check("projects:ws", 0, &t), None);
    }

    #[test]
    fn page_size_bounds() {
        let p = Paginator::new([1; 32]);
        assert!(p.page("l", 0, Some("0"), None, DEFAULT_PAGE_SIZE).is_err());
        assert!(
            p.page("l", 0, Some("101"), None, DEFAULT_PAGE_SIZE)
                .is_err()
        );
        assert!(p.page("l", 0, Some("x"), None, DEFAULT_PAGE_SIZE).is_err());
        assert_eq!(
            p.page("l", 0, Some("100"), None, DEFAULT_PAGE_SIZE)
                .unwrap()
                .size,
            100
        );
        assert_eq!(
            p.page("l", 0, None, None, DEFAULT_PAGE_SIZE).unwrap().size,
            DEFAULT_PAGE_SIZE
        );
        assert_eq!(p.page("l", 0, None, None, 50).unwrap().size, 50);
    }
}

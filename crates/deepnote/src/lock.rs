//! The crate's one policy for a poisoned mutex: take the value anyway.
//!
//! Every critical section in this crate makes one small change (an insert, an assignment, a
//! counter) and cannot leave its value half-written, so the value a panicking thread left
//! behind is still a valid one. Recovering it keeps the batch's guarantees (the set of runs
//! already taken, the shared pace) in force; skipping the update instead, as some call sites
//! once did, would quietly turn them off for the rest of the batch.

use std::sync::{Mutex, MutexGuard};

/// Lock `mutex`, recovering its value if another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_mutex_still_gives_its_value() {
        let m = std::sync::Arc::new(Mutex::new(1));
        let m2 = m.clone();
        let _ = std::thread::spawn(move || {
            let mut g = m2.lock().unwrap();
            *g = 2;
            panic!("poison it");
        })
        .join();
        assert!(m.is_poisoned());
        *lock(&m) += 1;
        assert_eq!(*lock(&m), 3);
    }
}

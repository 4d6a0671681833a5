//! A small deterministic random generator (xoshiro256**), seeded per object
//! from `(seed, stream, index)` so objects can be generated in parallel and
//! in any order while the data stays byte-identical for a seed.

use uuid::Uuid;

/// Independent random streams every simulator draws from; a provider's
/// own start at [`stream::PROVIDER_BASE`].
pub mod stream {
    /// App registrations and grants.
    pub const AUTH: u64 = 1;
    /// Tenants (organisations, companies).
    pub const TENANT: u64 = 2;
    /// The first stream number free for a provider's objects.
    pub const PROVIDER_BASE: u64 = 10;
}

/// xoshiro256** state.
pub struct SimRng {
    s: [u64; 4],
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SimRng {
    /// The generator of object `index` of `stream` under `seed`.
    pub fn new(seed: u64, stream: u64, index: u64) -> Self {
        let mut x = seed;
        let a = splitmix(&mut x);
        let mut y = a ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let b = splitmix(&mut y);
        let mut z = b ^ index.wrapping_mul(0xA076_1D64_78BD_642F);
        let s = [
            splitmix(&mut z),
            splitmix(&mut z),
            splitmix(&mut z),
            splitmix(&mut z),
        ];
        Self { s }
    }

    /// The next 64 random bits; every other draw is built on it.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// Index chosen by integer weights.
    pub fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut r = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// A random (version 4) UUID from this stream.
    pub fn uuid(&mut self) -> Uuid {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        b[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    /// `n` characters from `alphabet`.
    pub fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }
}

/// The data seed of tenant `index`: the configured seed for the first
/// (its data is what one-tenant simulators always served), mixed with the
/// index for the others so each has data of its own.
pub fn tenant_seed(seed: u64, index: usize) -> u64 {
    seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed_stream_index() {
        let a: Vec<u64> = (0..4).map(|_| SimRng::new(42, 1, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            SimRng::new(42, 1, 7).next_u64(),
            SimRng::new(42, 1, 8).next_u64()
        );
        assert_ne!(
            SimRng::new(42, 1, 7).next_u64(),
            SimRng::new(43, 1, 7).next_u64()
        );
        assert_ne!(
            SimRng::new(42, 2, 7).next_u64(),
            SimRng::new(42, 1, 7).next_u64()
        );
    }

    #[test]
    fn ranges_hold() {
        let mut r = SimRng::new(1, 1, 1);
        for _ in 0..1000 {
            assert!(r.below(10) < 10);
            let x = r.range(-3, 3);
            assert!((-3..=3).contains(&x));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.weighted(&[0, 5, 0]), 1);
        assert_eq!(r.uuid().get_version_num(), 4);
    }
}

//! Parallel generation: a simulator generates a million objects at start,
//! each from its own seeded stream, so they can be made on every core and
//! still come out byte-identical and in index order.

/// Below this many items one thread is faster than spawning several.
const SERIAL_BELOW: usize = 2048;
/// More threads than this gain nothing for generation.
const MAX_THREADS: usize = 16;

/// `(0..n).map(f)` spread over the available cores, results in index order.
pub fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(MAX_THREADS);
    if n < SERIAL_BELOW || threads == 1 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let start = (t * chunk).min(n);
                let end = ((t + 1) * chunk).min(n);
                s.spawn(move || (start..end).map(f).collect::<Vec<T>>())
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_index_order() {
        for n in [0, 1, 2047, 10_001] {
            let v = super::par_map(n, |i| i * 2);
            assert_eq!(v.len(), n);
            assert!(v.iter().enumerate().all(|(i, x)| *x == i * 2));
        }
    }
}

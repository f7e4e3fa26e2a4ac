//! Fitting a result grid to the screen: column widths from what the columns hold, and cells
//! padded or cut to exactly their column's width in terminal columns (CJK text is two wide).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A column wider than this is cut to it unless every column fits at full width.
pub const MAX_COLUMN_WIDTH: usize = 40;

/// No column is narrowed below this (or below its natural width when that is smaller).
pub const MIN_COLUMN_WIDTH: usize = 3;

/// Column widths for a grid `available` terminal columns wide with `separator` columns between
/// neighbours, from each column's `natural` width (widest value or header):
///
/// - when everything fits at natural width, natural widths;
/// - else columns are capped at [`MAX_COLUMN_WIDTH`]; room left over goes back to the capped
///   ones, up to their natural width;
/// - when the capped widths still do not fit, narrow columns keep their width and the widest
///   are narrowed to a common width (the first of them get the odd column left over), never
///   below `min(natural, MIN_COLUMN_WIDTH)`.
///
/// The total (columns and separators) is at most `available` unless even the minimum widths
/// do not fit; the grid then scrolls sideways.
pub fn fit_widths(natural: &[usize], available: usize, separator: usize) -> Vec<usize> {
    let n = natural.len();
    if n == 0 {
        return Vec::new();
    }
    let budget = available.saturating_sub(separator * (n - 1));
    let total: usize = natural.iter().sum();
    if total <= budget {
        return natural.to_vec();
    }
    let capped: Vec<usize> = natural.iter().map(|&w| w.min(MAX_COLUMN_WIDTH)).collect();
    let capped_total: usize = capped.iter().sum();
    if capped_total <= budget {
        return share(natural, &capped, budget - capped_total);
    }
    let floor: Vec<usize> = natural.iter().map(|&w| w.min(MIN_COLUMN_WIDTH)).collect();
    let floor_total: usize = floor.iter().sum();
    if floor_total >= budget {
        return floor;
    }
    // The largest common level that fits: every column gets min(capped, level).
    let sum_at = |level: usize| -> usize {
        capped
            .iter()
            .map(|&w| w.min(level).max(w.min(MIN_COLUMN_WIDTH)))
            .sum()
    };
    let (mut lo, mut hi) = (MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if sum_at(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut widths: Vec<usize> = capped
        .iter()
        .map(|&w| w.min(lo).max(w.min(MIN_COLUMN_WIDTH)))
        .collect();
    let mut left = budget - widths.iter().sum::<usize>();
    for (w, &c) in widths.iter_mut().zip(&capped) {
        if left == 0 {
            break;
        }
        if c > *w {
            *w += 1;
            left -= 1;
        }
    }
    widths
}

/// `extra` columns given back to the columns cut below their natural width, evenly.
fn share(natural: &[usize], capped: &[usize], mut extra: usize) -> Vec<usize> {
    let mut widths = capped.to_vec();
    while extra > 0 {
        let wanting: Vec<usize> = (0..widths.len())
            .filter(|&i| widths[i] < natural[i])
            .collect();
        if wanting.is_empty() {
            break;
        }
        let each = (extra / wanting.len()).max(1);
        for i in wanting {
            let add = each.min(natural[i] - widths[i]).min(extra);
            widths[i] += add;
            extra -= add;
            if extra == 0 {
                break;
            }
        }
    }
    widths
}

/// How many terminal columns `s` takes (East Asian wide characters take two).
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` padded with spaces or cut (ending in `…`) to exactly `width` terminal columns, on the
/// left when `right_align`. A wide character that would straddle the edge is left out and a
/// space takes its place.
pub fn fit_cell(s: &str, width: usize, right_align: bool) -> String {
    let full = display_width(s);
    let (mut body, used) = if full <= width {
        (s.to_string(), full)
    } else if width == 0 {
        (String::new(), 0)
    } else {
        let mut out = String::new();
        let mut used = 0;
        for c in s.chars() {
            let w = UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > width - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        (out, used + 1)
    };
    let pad = " ".repeat(width.saturating_sub(used));
    if right_align {
        body.insert_str(0, &pad);
    } else {
        body.push_str(&pad);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(widths: &[usize], sep: usize) -> usize {
        widths.iter().sum::<usize>() + sep * widths.len().saturating_sub(1)
    }

    #[test]
    fn natural_widths_when_they_fit() {
        assert_eq!(fit_widths(&[5, 60, 2], 100, 3), vec![5, 60, 2]);
        assert_eq!(fit_widths(&[], 10, 3), Vec::<usize>::new());
    }

    #[test]
    fn wide_columns_are_capped_then_given_room_back() {
        // 5 + 3 + 100 + 3 + 2 = 113 > 80: the wide one gets what is left.
        let w = fit_widths(&[5, 100, 2], 80, 3);
        assert_eq!(w, vec![5, 67, 2]);
        assert_eq!(total(&w, 3), 80);
        // Two wide columns share the room evenly.
        let w = fit_widths(&[100, 100], 91, 1);
        assert_eq!(w, vec![45, 45]);
        // Capped when there is no room beyond the cap.
        let w = fit_widths(&[4, 300, 300], 88, 2);
        assert_eq!(w, vec![4, 40, 40]);
    }

    #[test]
    fn narrow_columns_keep_their_width_when_space_is_short() {
        let natural = [2, 8, 50, 70, 1];
        let w = fit_widths(&natural, 60, 1);
        assert_eq!(total(&w, 1), 60, "{w:?}");
        assert_eq!(&w[..2], &[2, 8]);
        assert_eq!(w[4], 1);
        // The wide ones are narrowed to a common width (±1).
        assert!(w[2].abs_diff(w[3]) <= 1, "{w:?}");
        for (got, nat) in w.iter().zip(natural) {
            assert!(*got <= nat);
            assert!(*got >= nat.min(MIN_COLUMN_WIDTH));
        }
    }

    #[test]
    fn never_below_the_minimum_even_when_it_overflows() {
        let natural = vec![10; 30];
        let w = fit_widths(&natural, 50, 1);
        assert!(w.iter().all(|&x| x == MIN_COLUMN_WIDTH), "{w:?}");
        let w = fit_widths(&[1, 2, 10], 0, 1);
        assert_eq!(w, vec![1, 2, 3]);
    }

    #[test]
    fn fits_whenever_the_minimum_fits() {
        // A sweep of shapes: the total never exceeds what is available when it can.
        for available in (10..200).step_by(7) {
            for natural in [
                vec![3, 4, 5, 60, 120],
                vec![41, 41, 41],
                vec![1, 1, 1, 1, 200],
                vec![12, 30, 7, 44, 9, 80],
            ] {
                let w = fit_widths(&natural, available, 3);
                let minimum: usize = natural
                    .iter()
                    .map(|&n| n.min(MIN_COLUMN_WIDTH))
                    .sum::<usize>()
                    + 3 * (natural.len() - 1);
                if minimum <= available {
                    assert!(
                        total(&w, 3) <= available,
                        "{natural:?} in {available}: {w:?}"
                    );
                }
                for (got, nat) in w.iter().zip(&natural) {
                    assert!(got <= nat, "{natural:?} in {available}: {w:?}");
                }
            }
        }
    }

    #[test]
    fn display_width_counts_wide_chars_twice() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("接口.example"), 12);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn cells_are_exactly_their_width() {
        assert_eq!(fit_cell("abc", 5, false), "abc  ");
        assert_eq!(fit_cell("42", 5, true), "   42");
        assert_eq!(fit_cell("abcdef", 4, false), "abc…");
        assert_eq!(fit_cell("abcdef", 1, false), "…");
        assert_eq!(fit_cell("abcdef", 0, false), "");
        assert_eq!(fit_cell("", 2, false), "  ");
        assert_eq!(fit_cell("1234567", 5, true), "1234…");
    }

    #[test]
    fn wide_chars_are_never_split() {
        let s = "接口.example";
        assert_eq!(fit_cell(s, 12, false), s);
        // 4 columns: 接 (2) + … (1) + a space where 口 would not fit.
        assert_eq!(fit_cell(s, 4, false), "接… ");
        assert_eq!(fit_cell(s, 4, true), " 接…");
        assert_eq!(fit_cell(s, 5, false), "接口…");
        assert_eq!(fit_cell(s, 2, false), "… ");
        for width in 0..16 {
            let cell = fit_cell(s, width, false);
            assert_eq!(display_width(&cell), width, "{cell:?}");
        }
    }
}

//! Where things go on screen: pure functions of the terminal size, shared by `App::update`
//! (paging, PgUp/PgDn) and drawing.

use ratatui::layout::Rect;

/// A pane smaller than this is not useful; more panes than fit go to further pages.
pub const MIN_PANE_WIDTH: u16 = 44;
pub const MIN_PANE_HEIGHT: u16 = 9;
/// Below this the dashboard shows a "too small" message instead.
pub const MIN_WIDTH: u16 = 44;
pub const MIN_HEIGHT: u16 = 11;

/// The panes of the current page and where they go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneLayout {
    /// (pane index, area), in reading order.
    pub slots: Vec<(usize, Rect)>,
    pub page: usize,
    pub pages: usize,
}

pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// The area below the title bar and above the footer.
pub fn body(screen: Rect) -> Rect {
    Rect {
        x: screen.x,
        y: screen.y + 1,
        width: screen.width,
        height: screen.height.saturating_sub(2),
    }
}

/// Rows of events a pane of this size shows (border, status and type lines taken off).
pub fn list_rows(pane: Rect) -> usize {
    pane.height.saturating_sub(4) as usize
}

/// Panes on one page when `n` panes share `area` (unzoomed): all of them when they fit.
pub fn per_page(n: usize, area: Rect) -> usize {
    let max_cols = (area.width / MIN_PANE_WIDTH).max(1) as usize;
    let max_rows = (area.height / MIN_PANE_HEIGHT).max(1) as usize;
    let cap = max_cols * max_rows;
    if n <= cap { n.max(1) } else { cap }
}

/// Lays out `n` panes in `area`: full, split, grid, and pages when they do not all fit.
/// `zoomed` gives the focused pane the whole area.
pub fn panes(n: usize, focus: usize, zoomed: bool, area: Rect) -> PaneLayout {
    if n == 0 {
        return PaneLayout {
            slots: Vec::new(),
            page: 0,
            pages: 1,
        };
    }
    let focus = focus.min(n - 1);
    if zoomed {
        return PaneLayout {
            slots: vec![(focus, area)],
            page: 0,
            pages: 1,
        };
    }
    let max_cols = (area.width / MIN_PANE_WIDTH).max(1) as usize;
    let max_rows = (area.height / MIN_PANE_HEIGHT).max(1) as usize;
    let per_page = max_cols * max_rows;
    let (cols, rows, pages) = if n <= per_page {
        let (c, r) = best_grid(n, max_cols, max_rows, area);
        (c, r, 1)
    } else {
        (max_cols, max_rows, n.div_ceil(per_page))
    };
    let per_page = cols * rows;
    let page = focus / per_page;
    let first = page * per_page;
    let on_page = (n - first).min(per_page);
    let mut slots = Vec::with_capacity(on_page);
    // Rows of the last page may hold fewer panes; those panes share the row's width.
    let rows_used = on_page.div_ceil(cols);
    for k in 0..on_page {
        let row = k / cols;
        let in_row = if row + 1 == rows_used {
            on_page - row * cols
        } else {
            cols
        };
        let col = k % cols;
        let y0 = area.y + (area.height as usize * row / rows_used) as u16;
        let y1 = area.y + (area.height as usize * (row + 1) / rows_used) as u16;
        let x0 = area.x + (area.width as usize * col / in_row) as u16;
        let x1 = area.x + (area.width as usize * (col + 1) / in_row) as u16;
        slots.push((first + k, Rect::new(x0, y0, x1 - x0, y1 - y0)));
    }
    PaneLayout { slots, page, pages }
}

/// The grid for `n` panes that wastes the fewest cells and keeps panes wide (terminal cells
/// are about twice as tall as wide, and event lines are long).
fn best_grid(n: usize, max_cols: usize, max_rows: usize, area: Rect) -> (usize, usize) {
    let mut best = (1, n.min(max_rows).max(1));
    let mut best_score = f64::MAX;
    for cols in 1..=max_cols.min(n) {
        let rows = n.div_ceil(cols);
        if rows > max_rows {
            continue;
        }
        let w = f64::from(area.width) / cols as f64;
        let h = f64::from(area.height) / rows as f64;
        let aspect = w / h.max(1.0);
        let empty = (cols * rows - n) as f64;
        // Aim for panes about 4 cells wide per cell high.
        let score = (aspect.ln() - 4f64.ln()).abs() + empty * 0.6;
        if score < best_score {
            best_score = score;
            best = (cols, rows);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(w: u16, h: u16) -> Rect {
        Rect::new(0, 1, w, h)
    }

    #[test]
    fn one_pane_fills_the_area() {
        let l = panes(1, 0, false, area(120, 40));
        assert_eq!(l.slots, vec![(0, area(120, 40))]);
    }

    #[test]
    fn four_panes_make_a_grid_on_a_wide_screen() {
        let l = panes(4, 0, false, area(200, 50));
        assert_eq!(l.slots.len(), 4);
        assert_eq!(l.slots[0].1, Rect::new(0, 1, 100, 25));
        assert_eq!(l.slots[3].1, Rect::new(100, 26, 100, 25));
        assert_eq!(l.pages, 1);
    }

    #[test]
    fn too_many_panes_are_paged_and_focus_picks_the_page() {
        let l = panes(20, 13, false, area(100, 30));
        assert!(l.pages > 1);
        assert!(l.slots.iter().any(|(i, _)| *i == 13));
        let covered: usize = (0..l.pages)
            .map(|p| {
                let per = l.slots.len();
                panes(20, (p * per).min(19), false, area(100, 30))
                    .slots
                    .len()
            })
            .sum();
        assert_eq!(covered, 20);
    }

    #[test]
    fn zoom_gives_the_focused_pane_everything() {
        let l = panes(4, 2, true, area(100, 30));
        assert_eq!(l.slots, vec![(2, area(100, 30))]);
    }

    #[test]
    fn slots_never_overlap_and_stay_inside() {
        for n in 1..12 {
            for (w, h) in [(80u16, 24u16), (200, 60), (50, 12), (300, 20)] {
                let a = area(w, h);
                let l = panes(n, 0, false, a);
                for (i, (_, r)) in l.slots.iter().enumerate() {
                    assert!(r.x + r.width <= a.x + a.width && r.y + r.height <= a.y + a.height);
                    for (_, o) in &l.slots[i + 1..] {
                        assert!(!r.intersects(*o), "n={n} {w}x{h}: {r:?} {o:?}");
                    }
                }
            }
        }
    }
}

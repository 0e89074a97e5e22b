//! Something fetched from Qonto or the local copy, as the screen sees it: not yet, on its
//! way, here (and since when), kept from the copy, or failed (with what was there before).

use std::time::Instant;

use super::msg::Generation;
use qonto_client::api::ApiError;

/// Something fetched: not yet, on its way, here (and since when), or failed.
#[derive(Debug, Clone, Default)]
pub enum Load<T> {
    #[default]
    Idle,
    Loading {
        since: Instant,
        generation: Generation,
        previous: Option<Box<(T, Instant)>>,
    },
    Ready {
        value: T,
        at: Instant,
    },
    Failed {
        error: ApiError,
        previous: Option<Box<(T, Instant)>>,
    },
    /// From the local books, as of `at`, not yet asked of Qonto in this run: shown, and
    /// planned as if missing.
    Stored {
        value: T,
        at: Instant,
    },
}

impl<T> Load<T> {
    /// The value to show: the fresh one, or the last one while reloading or after a failure.
    pub fn value(&self) -> Option<(&T, Instant)> {
        match self {
            Load::Ready { value, at } | Load::Stored { value, at } => Some((value, *at)),
            Load::Loading {
                previous: Some(p), ..
            }
            | Load::Failed {
                previous: Some(p), ..
            } => Some((&p.0, p.1)),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Load::Loading { .. })
    }

    pub fn is_idle(&self) -> bool {
        matches!(self, Load::Idle)
    }

    /// Whether a plan should ask Qonto for it: nothing here, or only what the books had.
    pub fn needs_fetch(&self) -> bool {
        matches!(self, Load::Idle | Load::Stored { .. })
    }

    /// Shows what the books hold, unless something newer is here or on its way with a value.
    pub fn offer_stored(&mut self, value: T, at: Instant) {
        match self {
            Load::Idle => *self = Load::Stored { value, at },
            Load::Loading { previous, .. } | Load::Failed { previous, .. }
                if previous.is_none() =>
            {
                *previous = Some(Box::new((value, at)));
            }
            _ => {}
        }
    }

    /// Starts a reload, keeping what is shown.
    pub fn start(&mut self, generation: Generation, now: Instant) {
        let previous = match std::mem::take(self) {
            Load::Ready { value, at } | Load::Stored { value, at } => Some(Box::new((value, at))),
            Load::Loading { previous, .. } | Load::Failed { previous, .. } => previous,
            Load::Idle => None,
        };
        *self = Load::Loading {
            since: now,
            generation,
            previous,
        };
    }

    /// Gives up the request of `generation` (nobody will answer it): back to what was shown.
    pub fn abandon(&mut self, generation: Generation) {
        if !self.expects(generation) {
            return;
        }
        *self = match std::mem::take(self) {
            Load::Loading {
                previous: Some(p), ..
            } => Load::Ready {
                value: p.0,
                at: p.1,
            },
            _ => Load::Idle,
        };
    }

    /// The generation a result must carry to be accepted.
    pub fn expects(&self, generation: Generation) -> bool {
        matches!(self, Load::Loading { generation: g, .. } if *g == generation)
    }

    /// The generation of the request on its way, if one is.
    pub fn loading_generation(&self) -> Option<Generation> {
        match self {
            Load::Loading { generation, .. } => Some(*generation),
            _ => None,
        }
    }

    /// A failure for a reason that may pass (not a lost consent) becomes "not loaded", so the
    /// next plan asks again.
    /// A failure that asking again may cure becomes "not loaded".
    pub fn forget_passing_failure(&mut self) {
        if self.has_passing_failure() {
            *self = Load::Idle;
        }
    }

    pub fn has_passing_failure(&self) -> bool {
        matches!(self, Load::Failed { error, .. } if error.is_transient())
    }

    pub fn fail(&mut self, error: ApiError) {
        let previous = match std::mem::take(self) {
            Load::Ready { value, at } | Load::Stored { value, at } => Some(Box::new((value, at))),
            Load::Loading { previous, .. } | Load::Failed { previous, .. } => previous,
            Load::Idle => None,
        };
        *self = Load::Failed { error, previous };
    }
}

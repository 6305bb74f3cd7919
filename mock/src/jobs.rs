//! The job state machine, the model catalogue and the credit table.
//!
//! Pure: times are mock milliseconds passed in by the caller.

/// Time a queued job waits before it runs (unscaled mock ms).
pub const QUEUED_MS: u64 = 1000;
/// Time a job runs before it ends (unscaled mock ms).
pub const RUNNING_MS: u64 = 3000;

/// A generation's status: `queued → running → succeeded | failed | canceled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting to run.
    Queued,
    /// Running.
    Running,
    /// Done, outputs available, reservation charged.
    Succeeded,
    /// Done without outputs, reservation refunded.
    Failed,
    /// Canceled by the caller, reservation refunded.
    Canceled,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Canceled => "canceled",
        }
    }

    /// Whether no further change can happen.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Canceled)
    }
}

/// When a job was created and how long its phases last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    /// Creation time.
    pub created_ms: u64,
    /// Length of the queued phase.
    pub queued_ms: u64,
    /// Length of the running phase.
    pub running_ms: u64,
}

impl Timeline {
    /// A job that ends the moment it is created (synchronous endpoints).
    pub fn instant(now_ms: u64) -> Self {
        Timeline {
            created_ms: now_ms,
            queued_ms: 0,
            running_ms: 0,
        }
    }

    /// An asynchronous job with the standard phases.
    pub fn standard(now_ms: u64) -> Self {
        Timeline {
            created_ms: now_ms,
            queued_ms: QUEUED_MS,
            running_ms: RUNNING_MS,
        }
    }

    /// When the job leaves `running`.
    pub fn finish_ms(&self) -> u64 {
        self.created_ms
            .saturating_add(self.queued_ms)
            .saturating_add(self.running_ms)
    }

    /// The status at `now_ms` of a job that was not canceled and ends as
    /// `failed` when `fails` is set.
    pub fn status_at(&self, now_ms: u64, fails: bool) -> Status {
        if now_ms < self.created_ms.saturating_add(self.queued_ms) {
            Status::Queued
        } else if now_ms < self.finish_ms() {
            Status::Running
        } else if fails {
            Status::Failed
        } else {
            Status::Succeeded
        }
    }
}

/// The kinds of generation the mock makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    /// `POST /v1/images`
    Image,
    /// `POST /v1/videos`
    Video,
    /// `POST /v1/music`
    Music,
    /// `POST /v1/three-d`
    ThreeD,
    /// `POST /v1/upscale`
    Upscale,
    /// `POST /v1/chat`
    Chat,
}

impl Modality {
    /// The wire name (the Generation `modality` enum).
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Image => "image",
            Modality::Video => "video",
            Modality::Music => "music",
            Modality::ThreeD => "3d",
            Modality::Upscale => "upscale",
            Modality::Chat => "chat",
        }
    }

    /// The scope a restricted key needs to create this kind of job.
    /// Only `images:write` and `videos:write` are documented; the others are
    /// the mock's own names (see README).
    pub fn write_scope(self) -> &'static str {
        match self {
            Modality::Image => "images:write",
            Modality::Video => "videos:write",
            Modality::Music => "music:write",
            Modality::ThreeD => "3d:write",
            Modality::Upscale => "upscale:write",
            Modality::Chat => "chat:write",
        }
    }
}

/// Model that always answers 502 `provider_unavailable`.
pub const MODEL_PROVIDER_DOWN: &str = "provider-down";
/// Model whose comparison children (and jobs) end `failed`.
pub const MODEL_FAIL: &str = "fail-model";
/// Prompt substring that answers 422 `content_policy_blocked`.
pub const TRIGGER_BLOCKED: &str = "blocked-content";
/// Prompt substring that makes a job end `failed` (refunded).
pub const TRIGGER_FAIL: &str = "fail-job";

/// One entry of `GET /v1/models`.
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    /// The model id to send as `model`.
    pub id: &'static str,
    /// What it makes.
    pub modality: Modality,
    /// What the mock does with it.
    pub description: &'static str,
}

/// Every model the mock knows. Other model names are accepted too (treated
/// as the endpoint's modality), so real model names keep working.
pub const MODELS: &[ModelInfo] = &[
    ModelInfo {
        id: "flux-pro",
        modality: Modality::Image,
        description: "Image model (simulated).",
    },
    ModelInfo {
        id: "flux-schnell",
        modality: Modality::Image,
        description: "Fast image model (simulated).",
    },
    ModelInfo {
        id: "sdxl-turbo",
        modality: Modality::Image,
        description: "Image model (simulated).",
    },
    ModelInfo {
        id: "veo-3-1-fast",
        modality: Modality::Video,
        description: "Video model (simulated).",
    },
    ModelInfo {
        id: "kling-2",
        modality: Modality::Video,
        description: "Video model (simulated).",
    },
    ModelInfo {
        id: "suno-v4",
        modality: Modality::Music,
        description: "Music model (simulated).",
    },
    ModelInfo {
        id: "meshy-4",
        modality: Modality::ThreeD,
        description: "3D model (simulated).",
    },
    ModelInfo {
        id: "real-esrgan",
        modality: Modality::Upscale,
        description: "Upscaler (simulated).",
    },
    ModelInfo {
        id: "gpt-4o-mini",
        modality: Modality::Chat,
        description: "Chat model (simulated).",
    },
    ModelInfo {
        id: "claude-haiku",
        modality: Modality::Chat,
        description: "Chat model (simulated).",
    },
    ModelInfo {
        id: MODEL_PROVIDER_DOWN,
        modality: Modality::Image,
        description: "Trigger: every call naming it answers 502 provider_unavailable; in a comparison its child fails.",
    },
    ModelInfo {
        id: MODEL_FAIL,
        modality: Modality::Image,
        description: "Trigger: a job or comparison child using it ends failed (refunded).",
    },
];

/// The known modality of a model id.
pub fn model_modality(id: &str) -> Option<Modality> {
    MODELS.iter().find(|m| m.id == id).map(|m| m.modality)
}

/// Credits reserved for a job. `n` is the per-modality size parameter:
/// image: `num_outputs` (1–4), video/music: `duration_s`, 3d: mesh complexity
/// (1 low, 2 medium, 3 high), upscale: scale factor (2 or 4), chat: ignored.
pub fn credits(modality: Modality, n: i64) -> i64 {
    let n = n.max(1);
    match modality {
        Modality::Image => 10 * n,
        Modality::Video => 60 * n,
        Modality::Music => 2 * n,
        Modality::ThreeD => 100 * n,
        Modality::Upscale => 10 * n,
        Modality::Chat => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let t = Timeline::standard(10_000);
        assert_eq!(t.status_at(10_000, false), Status::Queued);
        assert_eq!(t.status_at(10_999, false), Status::Queued);
        assert_eq!(t.status_at(11_000, false), Status::Running);
        assert_eq!(t.status_at(13_999, true), Status::Running);
        assert_eq!(t.status_at(14_000, false), Status::Succeeded);
        assert_eq!(t.status_at(14_000, true), Status::Failed);
        assert_eq!(t.finish_ms(), 14_000);
        let i = Timeline::instant(5);
        assert_eq!(i.status_at(5, false), Status::Succeeded);
        assert!(Status::Canceled.is_terminal() && !Status::Running.is_terminal());
    }

    #[test]
    fn catalogue_and_prices() {
        assert_eq!(model_modality("veo-3-1-fast"), Some(Modality::Video));
        assert_eq!(model_modality("nope"), None);
        assert_eq!(credits(Modality::Video, 10), 600);
        assert_eq!(credits(Modality::Image, 0), 10);
        assert_eq!(credits(Modality::Chat, 99), 1);
        assert!(MODELS.iter().any(|m| m.id == MODEL_PROVIDER_DOWN));
    }
}

//! The reference target: an in-memory ECS task API that follows the contract, plus
//! named deviations that break it on purpose. (Being written: see issue 4.)

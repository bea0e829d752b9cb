//! The contract: `schemas/` loaded and compiled once, which schema and which error
//! types belong to which operation, error-type normalisation, and the domain
//! invariants no schema can express. (Being written: see issue 3.)

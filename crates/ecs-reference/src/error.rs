//! API errors of the reference target: the documented type names and their HTTP status.

/// The kinds of error the reference answers with. `type_name` is what goes in `__type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    ClusterNotFound,
    InvalidParameter,
    Client,
    ServiceNotFound,
    ClusterContainsServices,
    PlatformUnknown,
    Serialization,
    UnknownOperation,
    Server,
    /// Only produced by the `undocumented-error` deviation.
    ResourceNotFound,
}

impl ErrorKind {
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            ErrorKind::ClusterNotFound => "ClusterNotFoundException",
            ErrorKind::InvalidParameter => "InvalidParameterException",
            ErrorKind::Client => "ClientException",
            ErrorKind::ServiceNotFound => "ServiceNotFoundException",
            ErrorKind::ClusterContainsServices => "ClusterContainsServicesException",
            ErrorKind::PlatformUnknown => "PlatformUnknownException",
            ErrorKind::Serialization => "SerializationException",
            ErrorKind::UnknownOperation => "UnknownOperationException",
            ErrorKind::Server => "ServerException",
            ErrorKind::ResourceNotFound => "ResourceNotFoundException",
        }
    }

    /// Client faults are 400, server faults 500.
    pub(crate) fn status(self) -> u16 {
        match self {
            ErrorKind::Server => 500,
            _ => 400,
        }
    }
}

/// One error answer: a kind and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    pub(crate) fn client(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Client, message)
    }

    pub(crate) fn cluster_not_found() -> Self {
        Self::new(ErrorKind::ClusterNotFound, "Cluster not found.")
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

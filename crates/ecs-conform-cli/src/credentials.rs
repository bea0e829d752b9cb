//! The credentials a run signs with, resolved as the AWS SDKs resolve them (`aws-config`'s
//! default chain: environment, shared config and credentials files with profiles, SSO,
//! assume-role, web identity, container and instance metadata). An unknown profile is
//! an error; dummy credentials are used only when asked (`--dummy-credentials`) or, when
//! nothing resolves, for a loopback endpoint, and the run says so. The chain stays
//! with the target, which asks it again before what it gave expires.

use crate::cli::CredentialArgs;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::SharedCredentialsProvider;
use ecs_conform::app::AppError;
use ecs_conform::client::{self, CredentialSource, Credentials};
use std::borrow::Cow;
use std::time::Duration;

/// How long resolving may take before it counts as "nothing resolved" (instance
/// metadata on a machine that has none answers slowly).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(20);

/// Why no credentials could be had: an unknown profile, or nothing resolved for an
/// endpoint that is not loopback. Both exit 2 (bad input or usage).
fn unusable(message: String) -> AppError {
    AppError::Usage(message)
}

/// The credentials for `endpoint`, and the line that says where they came from when the
/// run must say so (dummy credentials).
pub fn resolve(
    endpoint: &str,
    region: &str,
    args: &CredentialArgs,
) -> Result<(CredentialSource, Option<String>), AppError> {
    // An endpoint that is not a URL is reported as such, whatever the credentials.
    client::check_endpoint(endpoint)?;
    if args.dummy_credentials {
        let mut dummy = Credentials::dummy();
        dummy.source = "dummy (--dummy-credentials)".into();
        let note = "note: signing with dummy credentials (--dummy-credentials)".to_owned();
        return Ok((CredentialSource::fixed(dummy), Some(note)));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AppError::Runtime)?;
    let profile = args
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    runtime.block_on(async {
        if let Some(name) = &profile {
            let from = if args.profile.is_some() { "--profile" } else { "AWS_PROFILE" };
            check_profile(name, from).await?;
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_owned()));
        if let Some(name) = &args.profile {
            loader = loader.profile_name(name);
        }
        let config = loader.load().await;
        let resolved = match config.credentials_provider() {
            Some(provider) => {
                match tokio::time::timeout(RESOLVE_TIMEOUT, first(&provider, &profile)).await {
                    Ok(Ok(current)) => {
                        return Ok((
                            CredentialSource {
                                current,
                                refresh: Some(provider),
                            },
                            None,
                        ))
                    }
                    Ok(Err(e)) => e,
                    Err(_) => format!("resolving took longer than {RESOLVE_TIMEOUT:?}"),
                }
            }
            None => "no credentials provider is configured".to_owned(),
        };
        let shown = client::strip_user_info(endpoint);
        if client::is_loopback(endpoint) {
            let mut dummy = Credentials::dummy();
            dummy.source = "dummy (loopback endpoint, no AWS credentials resolved)".into();
            let note = format!(
                "note: no AWS credentials resolved ({resolved}); signing with dummy credentials, as {shown} is a loopback endpoint"
            );
            return Ok((CredentialSource::fixed(dummy), Some(note)));
        }
        Err(unusable(format!(
            "no AWS credentials for {shown}: {resolved}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile (a profile of ~/.aws/config or ~/.aws/credentials), or pass --dummy-credentials for an emulator that accepts any signature"
        )))
    })
}

/// The first credentials of the chain, described by the provider that gave them.
async fn first(
    provider: &SharedCredentialsProvider,
    profile: &Option<String>,
) -> Result<Credentials, String> {
    use aws_credential_types::provider::ProvideCredentials;
    let c = provider
        .provide_credentials()
        .await
        .map_err(|e| client::error_chain(&e))?;
    // aws-credential-types shows the provider's name only in `Debug` (which redacts
    // the secret); the access key id is not kept.
    let shown = format!("{c:?}");
    let name = shown
        .split_once("provider_name: \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("AWS credential chain", |(name, _)| name);
    Ok(Credentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: c.secret_access_key().to_owned(),
        session_token: c.session_token().map(str::to_owned),
        source: match profile {
            Some(profile) => format!("{name} (profile {profile})"),
            None => name.to_owned(),
        },
        expires: c.expiry(),
    })
}

/// An error unless `name` is a profile of the shared config or credentials file
/// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`): aws-config
/// itself goes on to the next provider, which would sign as someone else.
async fn check_profile(name: &str, from: &str) -> Result<(), AppError> {
    let set = aws_config::profile::load(
        &aws_types::os_shim_internal::Fs::real(),
        &aws_types::os_shim_internal::Env::real(),
        &Default::default(),
        Some(Cow::Owned(name.to_owned())),
    )
    .await
    .map_err(|e| unusable(format!("cannot read the AWS profiles: {e}")))?;
    if set.get_profile(name).is_some() {
        return Ok(());
    }
    let mut known: Vec<&str> = set.profiles().collect();
    known.sort_unstable();
    Err(unusable(format!(
        "unknown AWS profile `{name}` (from {from}): the shared config and credentials files define {}",
        if known.is_empty() {
            "no profile".to_owned()
        } else {
            known
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )))
}

//! The TLS backend of the `reqwest::Client` a [`Config`](crate::Config) builds, chosen by feature:
//!
//! - `native-tls`: the platform's TLS library (OpenSSL on Linux), through reqwest;
//! - `rustls-aws-lc`: rustls with the aws-lc-rs crypto provider;
//! - `rustls` (the default): rustls with the ring crypto provider.
//!
//! When several are enabled (cargo unifies features, and `rustls` is on by default) the first
//! in this list wins. Both rustls backends build the configuration reqwest builds for its own
//! `rustls` feature (TLS 1.2 and 1.3, the platform's certificate verifier through
//! rustls-platform-verifier, extra roots added to it, ALPN `h2` and `http/1.1`) with the
//! provider of the feature, and hand it to reqwest ready-made: reqwest's `rustls` feature would
//! always build aws-lc-rs, whose C library is half of a clean build of a client crate. A
//! process-wide default provider (`CryptoProvider::install_default`) is used instead of the
//! feature's, as reqwest does.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Trusted roots added to the platform's, as DER.
#[derive(Clone, Default)]
pub(crate) struct RootCertificates(Vec<CertificateDer<'static>>);

impl RootCertificates {
    /// Reads every certificate of a PEM bundle, checking that the enabled backend accepts each
    /// as a trust anchor.
    pub(crate) fn add_pem(&mut self, pem: &[u8]) -> Result<(), String> {
        let mut added = Vec::new();
        for (index, certificate) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let certificate = certificate
                .map_err(|e| format!("root certificate {} of the PEM text is unreadable: {e}", index + 1))?;
            check(&certificate).map_err(|e| format!("root certificate {} is not usable: {e}", index + 1))?;
            added.push(certificate);
        }
        if added.is_empty() {
            return Err("no root certificate: the text has no `-----BEGIN CERTIFICATE-----` section".into());
        }
        self.0.extend(added);
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Sets the backend of `builder`, with these roots trusted besides the platform's.
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
        backend::apply(builder, &self.0)
    }
}

#[cfg(feature = "native-tls")]
fn check(certificate: &CertificateDer<'_>) -> Result<(), String> {
    reqwest::Certificate::from_der(certificate).map(drop).map_err(|e| e.to_string())
}

#[cfg(all(not(feature = "native-tls"), any(feature = "rustls", feature = "rustls-aws-lc")))]
fn check(certificate: &CertificateDer<'_>) -> Result<(), String> {
    rustls::RootCertStore::empty().add(certificate.clone().into_owned()).map_err(|e| e.to_string())
}

#[cfg(not(any(feature = "native-tls", feature = "rustls", feature = "rustls-aws-lc")))]
fn check(_: &CertificateDer<'_>) -> Result<(), String> {
    Err(backend::NONE.into())
}

#[cfg(feature = "native-tls")]
mod backend {
    use rustls_pki_types::CertificateDer;

    pub(super) fn apply(
        mut builder: reqwest::ClientBuilder,
        roots: &[CertificateDer<'static>],
    ) -> Result<reqwest::ClientBuilder, String> {
        builder = builder.tls_backend_native();
        for root in roots {
            builder = builder.add_root_certificate(reqwest::Certificate::from_der(root).map_err(|e| e.to_string())?);
        }
        Ok(builder)
    }
}

#[cfg(all(not(feature = "native-tls"), any(feature = "rustls", feature = "rustls-aws-lc")))]
mod backend {
    use std::sync::Arc;

    use rustls::crypto::CryptoProvider;
    use rustls_pki_types::CertificateDer;

    pub(super) fn apply(
        builder: reqwest::ClientBuilder,
        roots: &[CertificateDer<'static>],
    ) -> Result<reqwest::ClientBuilder, String> {
        Ok(builder.tls_backend_preconfigured(client_config(roots)?))
    }

    /// What reqwest's `TlsBackend::Rustls` builds when no setting departs from the defaults.
    fn client_config(roots: &[CertificateDer<'static>]) -> Result<rustls::ClientConfig, String> {
        let provider = CryptoProvider::get_default().cloned().unwrap_or_else(|| Arc::new(provider()));
        let verifier = verifier(roots, provider.clone()).map_err(|e| format!("the certificate verifier: {e}"))?;
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .map_err(|e| format!("the TLS versions: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }

    #[cfg(not(target_os = "android"))]
    fn verifier(
        roots: &[CertificateDer<'static>],
        provider: Arc<CryptoProvider>,
    ) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
        if roots.is_empty() {
            rustls_platform_verifier::Verifier::new(provider)
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(roots.iter().cloned(), provider)
        }
    }

    #[cfg(target_os = "android")]
    fn verifier(
        roots: &[CertificateDer<'static>],
        provider: Arc<CryptoProvider>,
    ) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
        if !roots.is_empty() {
            return Err(rustls::Error::General("the Android verifier cannot take extra root certificates".into()));
        }
        rustls_platform_verifier::Verifier::new(provider)
    }

    #[cfg(feature = "rustls-aws-lc")]
    fn provider() -> CryptoProvider {
        rustls::crypto::aws_lc_rs::default_provider()
    }

    #[cfg(not(feature = "rustls-aws-lc"))]
    fn provider() -> CryptoProvider {
        rustls::crypto::ring::default_provider()
    }
}

#[cfg(not(any(feature = "native-tls", feature = "rustls", feature = "rustls-aws-lc")))]
mod backend {
    use rustls_pki_types::CertificateDer;

    pub(super) const NONE: &str =
        "no TLS backend: enable the feature `rustls`, `rustls-aws-lc` or `native-tls` for https";

    pub(super) fn apply(
        builder: reqwest::ClientBuilder,
        roots: &[CertificateDer<'static>],
    ) -> Result<reqwest::ClientBuilder, String> {
        if roots.is_empty() { Ok(builder) } else { Err(NONE.into()) }
    }
}

#[cfg(all(test, not(any(feature = "native-tls", feature = "rustls", feature = "rustls-aws-lc"))))]
mod tests {
    #[test]
    fn without_a_backend_a_root_is_refused() {
        let pem = rcgen::generate_simple_self_signed(vec!["a.example".to_string()]).unwrap().cert.pem();
        let error = super::RootCertificates::default().add_pem(pem.as_bytes()).unwrap_err();
        assert!(error.contains("no TLS backend: enable the feature `rustls`"), "{error}");
    }
}

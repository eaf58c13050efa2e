using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Http;

/// <summary>
/// One extra certificate (a server certificate or its CA) trusted for TLS to the configured hosts only.
/// The system trust store still applies everywhere; validation is never switched off.
/// </summary>
internal sealed class TrustedCertificate
{
    private readonly X509Certificate2 _certificate;
    private readonly HashSet<string> _hosts;

    private TrustedCertificate(X509Certificate2 certificate, IEnumerable<string> hosts)
    {
        _certificate = certificate;
        _hosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);
    }

    public string Thumbprint => _certificate.Thumbprint;

    public static TrustedCertificate Load(string path, IEnumerable<string> hosts)
    {
        if (!File.Exists(path))
        {
            throw new LogicAppAuthException("TrustedCertificateNotFound", FailureKind.InvalidArgument,
                $"The trusted certificate file '{path}' does not exist. Give the path of a PEM file that holds one certificate.", path);
        }

        try
        {
            return new TrustedCertificate(new X509Certificate2(ReadPemOrDer(File.ReadAllText(path), File.ReadAllBytes(path))), hosts);
        }
        catch (Exception e) when (e is FormatException || e is System.Security.Cryptography.CryptographicException)
        {
            throw new LogicAppAuthException("TrustedCertificateInvalid", FailureKind.InvalidArgument,
                $"The file '{path}' does not hold a certificate in PEM or DER form: {e.Message}", path, e);
        }
    }

    /// <summary>Accepts what the system trusts; otherwise a chain that ends in (or is) the trusted certificate, for a configured host.</summary>
    public bool Validate(string host, X509Certificate2? serverCertificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (serverCertificate == null || !_hosts.Contains(host) || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        chain.ChainPolicy.ExtraStore.Add(_certificate);
        chain.Build(serverCertificate);

        bool onlyUntrustedRoot = chain.ChainStatus.All(s => s.Status == X509ChainStatusFlags.NoError || s.Status == X509ChainStatusFlags.UntrustedRoot);
        bool endsInTrusted = chain.ChainElements.Cast<X509ChainElement>()
            .Any(e => string.Equals(e.Certificate.Thumbprint, _certificate.Thumbprint, StringComparison.OrdinalIgnoreCase));
        return onlyUntrustedRoot && endsInTrusted;
    }

    private static byte[] ReadPemOrDer(string text, byte[] bytes)
    {
        const string begin = "-----BEGIN CERTIFICATE-----";
        const string end = "-----END CERTIFICATE-----";
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        if (start < 0)
        {
            return bytes;
        }

        start += begin.Length;
        int stop = text.IndexOf(end, start, StringComparison.Ordinal);
        if (stop < 0)
        {
            throw new FormatException("The PEM block has no END CERTIFICATE line.");
        }

        return Convert.FromBase64String(text.Substring(start, stop - start).Trim());
    }
}

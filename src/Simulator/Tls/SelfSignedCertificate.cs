using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GuidellmFunctions.Simulator.Tls;

/// <summary>
/// Server certificates made in memory for a simulator serving <c>https</c> on a test machine: nothing is installed or
/// trusted, so a client must skip verification (<c>tls_insecure_skip_verify</c>) to talk to it.
/// </summary>
public static class SelfSignedCertificate
{
    /// <summary>
    /// A self-signed ECDSA P-256 certificate for <paramref name="host"/> (an address or a name), 127.0.0.1 and localhost,
    /// valid from a day ago to a year ahead.
    /// </summary>
    public static X509Certificate2 Create(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(host);
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}

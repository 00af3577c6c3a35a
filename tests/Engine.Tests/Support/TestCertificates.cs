using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>Certificates for TLS servers on the loopback, made in memory (nothing is installed or trusted).</summary>
public static class TestCertificates
{
    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, valid from yesterday to tomorrow.</summary>
    public static X509Certificate2 SelfSignedLoopback()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}

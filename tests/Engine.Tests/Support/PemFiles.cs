using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>A certificate and its key written as PEM files for a server program (nginx wants them apart, HAProxy together).</summary>
public static class PemFiles
{
    /// <summary>Writes <c>cert.pem</c>, <c>key.pem</c> and <c>both.pem</c> into <paramref name="directory"/>.</summary>
    public static (string Certificate, string Key, string Both) Write(X509Certificate2 certificate, string directory)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetECDsaPrivateKey() ?? (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? throw new ArgumentException("the certificate has no private key", nameof(certificate));
        var certificatePem = certificate.ExportCertificatePem() + "\n";
        var keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
        var paths = (Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"), Path.Combine(directory, "both.pem"));
        File.WriteAllText(paths.Item1, certificatePem);
        File.WriteAllText(paths.Item2, keyPem);
        File.WriteAllText(paths.Item3, certificatePem + keyPem);
        return paths;
    }
}

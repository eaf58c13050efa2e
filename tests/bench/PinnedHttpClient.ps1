# An HttpClient that trusts exactly one certificate (the sandbox's), for scripts that call the sandbox directly.
# The check runs in compiled code: a PowerShell script block cannot run on the thread-pool threads that TLS uses.
if (-not ('LogicAppAuthBench.PinnedHandler' -as [type])) {
    Add-Type -TypeDefinition @'
namespace LogicAppAuthBench
{
    using System.Net.Http;
    using System.Security.Cryptography.X509Certificates;

    public static class PinnedHandler
    {
        public static HttpClient Create(string pemPath)
        {
            var pinned = X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(pemPath));
            var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
                    errors == System.Net.Security.SslPolicyErrors.None || (certificate != null && certificate.Thumbprint == pinned.Thumbprint),
                MaxConnectionsPerServer = 64,
            };
            return new HttpClient(handler) { Timeout = System.TimeSpan.FromMinutes(5) };
        }
    }
}
'@
}

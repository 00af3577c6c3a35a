using System.Security.Cryptography.X509Certificates;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>nginx from Debian on a free loopback port, serving one <c>server</c> block whose directives the test writes.</summary>
public static class Nginx
{
    /// <summary>
    /// Starts nginx with <paramref name="server"/> as the body of its <c>server</c> block (plain, or TLS with
    /// <paramref name="certificate"/>) and <paramref name="http"/> at the <c>http</c> level. Its access log is
    /// <c>access.log</c>, one line per request with the request line.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string server, X509Certificate2? certificate = null, string http = "")
    {
        var binary = ServerProcess.Binary("nginx-light", "/usr/sbin/nginx");
        var dir = ServerProcess.NewDirectory("nginx");
        var port = LoopbackPorts.Free();
        var tls = string.Empty;
        if (certificate is not null)
        {
            var (cert, key, _) = PemFiles.Write(certificate, dir);
            tls = $"ssl_certificate {cert};\n    ssl_certificate_key {key};";
        }

        // As root, workers would otherwise switch to nobody, who cannot enter the test's private directory.
        var user = Environment.UserName == "root" ? "user root;" : string.Empty;
        await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
            {{user}}
            daemon off;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log info;
            events { worker_connections 512; }
            http {
              access_log {{dir}}/access.log;
              client_body_temp_path {{dir}}/body;
              proxy_temp_path {{dir}}/proxy;
              fastcgi_temp_path {{dir}}/fastcgi;
              uwsgi_temp_path {{dir}}/uwsgi;
              scgi_temp_path {{dir}}/scgi;
              client_max_body_size 10m;
              {{http}}
              server {
                listen 127.0.0.1:{{port}}{{(certificate is null ? string.Empty : " ssl")}};
                {{tls}}
                {{server}}
              }
            }
            """);
        return await ServerProcess.StartAsync(binary, ["-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log")], dir, port);
    }

    /// <summary>A <c>location</c> that passes requests to <paramref name="upstream"/> as a streaming LLM server wants (HTTP/1.1, no buffering).</summary>
    public static string ProxyTo(Uri upstream, string extra = "") => $$"""
        location / {
          proxy_pass {{upstream.GetLeftPart(UriPartial.Authority)}};
          proxy_http_version 1.1;
          proxy_set_header Connection "";
          proxy_buffering off;
          {{extra}}
        }
        """;
}

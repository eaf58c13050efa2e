using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;

namespace LogicAppAuth.Engine.Reporting
{
    /// <summary>
    /// Renders a <see cref="HealthReport"/> as one self-contained HTML file: styles, script and data inline, and a
    /// content security policy that forbids every fetch, so that it opens the same from a mail attachment.
    /// </summary>
    public static class HtmlReportWriter
    {
        private const string TemplateResource = "LogicAppAuth.Reporting.ReportTemplate.html";

        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        public static string Render(HealthReport report)
        {
            // The default encoder escapes <, > and &, so the data cannot close its script element.
            var data = JsonSerializer.Serialize(new
            {
                connections = report.Connections.OrderBy(c => c.Healthy).ThenBy(c => c.SubscriptionId).ThenBy(c => c.ResourceGroupName).ThenBy(c => c.Name),
                credentials = report.Credentials.OrderBy(c => c.EndDateTime),
            }, Json);
            return ReadTemplate()
                .Replace("{{SCOPE}}", WebUtility.HtmlEncode(report.Scope))
                .Replace("{{GENERATED_ISO}}", report.GeneratedAt.ToString("o", CultureInfo.InvariantCulture))
                .Replace("{{GENERATED}}", WebUtility.HtmlEncode(report.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
                .Replace("{{DATA}}", data);
        }

        private static string ReadTemplate()
        {
            using var stream = typeof(HtmlReportWriter).Assembly.GetManifestResourceStream(TemplateResource)
                ?? throw new InvalidOperationException($"The report template {TemplateResource} is missing from the engine assembly.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}

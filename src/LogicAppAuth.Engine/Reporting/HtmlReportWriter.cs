using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;

namespace LogicAppAuth.Engine.Reporting;

/// <summary>
/// Renders a <see cref="HealthReport"/> as one self-contained HTML file: styles, script and data inline, and a
/// content security policy that forbids every fetch, so that it opens the same from a mail attachment.
/// </summary>
public static class HtmlReportWriter
{
    private const string TemplateResource = "LogicAppAuth.Reporting.ReportTemplate.html";

    /// <summary>How far ahead the report looks at credentials.</summary>
    public const int ExpiryHorizonDays = 90;

    public static string Render(HealthReport report)
    {
        // The default encoder escapes <, > and &, so the data cannot close its script element.
        var data = JsonSerializer.Serialize(CompactData(report));
        return ReadTemplate()
            .Replace("{{SCOPE}}", WebUtility.HtmlEncode(report.Scope))
            .Replace("{{GENERATED_ISO}}", report.GeneratedAt.ToString("o", CultureInfo.InvariantCulture))
            .Replace("{{GENERATED}}", WebUtility.HtmlEncode(report.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
            .Replace("{{DATA}}", data);
    }

    /// <summary>
    /// The data the page needs, small enough for a tenant of 10,000 connections: each connection as an array, its
    /// repeated texts (subscription, group, API, status, cause, evidence) as indexes into one string table, and of the
    /// credentials only the days left of those expired or expiring within 90 days (all the charts and tiles use).
    /// </summary>
    private static object CompactData(HealthReport report)
    {
        var strings = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string text)
        {
            if (!index.TryGetValue(text, out var position))
            {
                position = strings.Count;
                strings.Add(text);
                index[text] = position;
            }

            return position;
        }

        var connections = report.Connections
            .OrderBy(c => c.Healthy).ThenBy(c => c.SubscriptionId).ThenBy(c => c.ResourceGroupName).ThenBy(c => c.Name)
            .Select(c => new object[]
            {
                Intern(c.SubscriptionId), Intern(c.ResourceGroupName), c.Name, Intern(c.ApiName), Intern(c.Status), c.Healthy ? 1 : 0,
                Intern(c.Cause), Intern(c.Evidence), c.Fix, c.UsedBy,
            })
            .ToList();
        var expiring = report.Credentials
            .Where(c => c.Expired || c.DaysRemaining <= ExpiryHorizonDays)
            .OrderBy(c => c.EndDateTime)
            .Select(c => new[] { c.DaysRemaining, c.Expired ? 1 : 0 })
            .ToList();
        return new { strings, connections, expiring };
    }

    private static string ReadTemplate()
    {
        using var stream = typeof(HtmlReportWriter).Assembly.GetManifestResourceStream(TemplateResource)
            ?? throw new InvalidOperationException($"The report template {TemplateResource} is missing from the engine assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

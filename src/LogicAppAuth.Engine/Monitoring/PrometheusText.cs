using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Monitoring;

/// <summary>One sample of the Prometheus text exposition format: a metric name, its labels and a value.</summary>
public sealed class MetricSample
{
    public MetricSample(string name, IReadOnlyList<KeyValuePair<string, string>> labels, double value)
    {
        Name = name;
        Labels = labels;
        Value = value;
    }

    public string Name { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; }
    public double Value { get; }

    /// <summary>The series key: name and labels as they are written.</summary>
    public string Series => Name + PrometheusText.FormatLabels(Labels);
}

/// <summary>Writes and reads the Prometheus text format (version 0.0.4) that node_exporter's textfile collector reads. Pure, apart from the atomic file write.</summary>
public static class PrometheusText
{
    private static readonly Regex SampleLine = new Regex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{.*\})?\s+(?<value>\S+)(\s+\d+)?$", RegexOptions.Compiled);
    private static readonly Regex Label = new Regex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""", RegexOptions.Compiled);

    public static string FormatLabels(IReadOnlyList<KeyValuePair<string, string>> labels) =>
        labels.Count == 0 ? "" : "{" + string.Join(",", labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")) + "}";

    public static string Escape(string value) => (value ?? "").Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One family: HELP and TYPE once, then its samples, sorted so that runs compare line by line.</summary>
    public static void WriteFamily(StringBuilder text, string name, string type, string help, IEnumerable<MetricSample> samples)
    {
        var list = samples.OrderBy(s => s.Series, StringComparer.Ordinal).ToList();
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var sample in list)
        {
            text.Append(sample.Series).Append(' ').Append(FormatValue(sample.Value)).Append('\n');
        }
    }

    /// <summary>The samples of a file in this format; comment lines and lines that are not samples are skipped.</summary>
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in (text ?? "").Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            var match = SampleLine.Match(line);
            if (!match.Success || !TryParseValue(match.Groups["value"].Value, out var value))
            {
                continue;
            }

            var labels = new List<KeyValuePair<string, string>>();
            foreach (Match label in Label.Matches(match.Groups["labels"].Value))
            {
                labels.Add(new KeyValuePair<string, string>(label.Groups["key"].Value, Unescape(label.Groups["value"].Value)));
            }

            samples.Add(new MetricSample(match.Groups["name"].Value, labels, value));
        }

        return samples;
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf": value = double.PositiveInfinity; return true;
            case "-Inf": value = double.NegativeInfinity; return true;
            case "NaN": value = double.NaN; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static string Unescape(string value)
    {
        var result = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                result.Append(value[i] == 'n' ? '\n' : value[i]);
            }
            else
            {
                result.Append(value[i]);
            }
        }

        return result.ToString();
    }
}

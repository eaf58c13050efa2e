using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;

namespace LogicAppAuth.Sandbox.Hosting;

/// <summary>
/// A test hook standing in for someone else saving a resource: armed for one path (a resource id, or a Standard
/// app's <c>…/hostruntime/admin/vfs/{file}</c>), it saves a change to it once the N-th successful GET of that path
/// has its answer (before the answer is sent), so that a fix's read-modify-write meets a concurrent change. Its own saves are not requests and do not
/// appear in the request log.
/// </summary>
public sealed class ConcurrentWriter
{
    private const string FileMarker = "/hostruntime/admin/vfs/";
    private readonly ConcurrentDictionary<string, int> _readsLeft = new(StringComparer.OrdinalIgnoreCase);

    public void Arm(string path, int afterReads) => _readsLeft[ArmPath.Normalize(path)] = Math.Max(1, afterReads);

    public bool IsArmed => !_readsLeft.IsEmpty;

    /// <summary>Called after every successful GET; saves the change when the path's count runs out.</summary>
    public void OnRead(ResourceStore store, SandboxClock clock, string path)
    {
        var key = ArmPath.Normalize(path);
        if (_readsLeft.IsEmpty || !_readsLeft.TryGetValue(key, out var left))
        {
            return;
        }

        if (left > 1)
        {
            _readsLeft[key] = left - 1;
            return;
        }

        _readsLeft.TryRemove(key, out _);
        var marker = key.IndexOf(FileMarker, StringComparison.OrdinalIgnoreCase);
        if (marker >= 0)
        {
            var siteId = key[..marker];
            var fileName = key[(marker + FileMarker.Length)..];
            if (store.GetSiteFileText(siteId, fileName) is { } text)
            {
                // Saved again by an editor that ends the file with a newline: same content, new text and ETag.
                store.PutSiteFileText(siteId, fileName, text + "\n");
            }

            return;
        }

        if (store.Get(key) is { } document)
        {
            var now = clock.NowText();
            var tags = document["tags"] as JsonObject ?? new JsonObject();
            tags["savedBy"] = "someone-else";
            document["tags"] = tags;
            if (document["properties"] is JsonObject properties)
            {
                if (properties.ContainsKey("changedTime"))
                {
                    properties["changedTime"] = now;
                }

                if (properties.ContainsKey("lastModifiedTimeUtc"))
                {
                    properties["lastModifiedTimeUtc"] = now;
                }
            }

            if (document.ContainsKey("etag"))
            {
                document["etag"] = $"\"{Guid.NewGuid()}\"";
            }

            store.Put(document);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Expiry;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Lists app registration and service principal secrets and certificates, and OAuth connections' refresh tokens, that
    /// have expired or expire within -WithinDays, linked to the API connections that depend on them. Scopes piped in are
    /// gathered; Graph is read once at the end, and the rows come out sorted by EndDateTime.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ExpiringCredential")]
    [OutputType(typeof(ExpiringCredential))]
    public sealed class GetExpiringCredentialCommand : LogicAppAuthCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateRange(0, 36500)]
        public int WithinDays { get; set; } = CredentialWindow.DefaultWithinDays;

        [Parameter]
        public SwitchParameter ExcludeExpired { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? AppId { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? DisplayName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public CredentialKind[]? Kind { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ResourceGroup")]
        public string? ResourceGroupName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Subscription")]
        public string[]? SubscriptionId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string[]? ResourceId { get; set; }

        /// <summary>Whatever is piped in: a string is a resource id; other objects bind by property name above.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        [Parameter]
        public SwitchParameter NoConnectionScan { get; set; }

        [Parameter]
        public SwitchParameter NoRunHistory { get; set; }

        [Parameter]
        public SwitchParameter NoResourceGraph { get; set; }

        private readonly List<ConnectionScope> scopes = new List<ConnectionScope>();
        private readonly List<string> subscriptions = new List<string>();
        private bool sawInput;

        protected override void ProcessRecord()
        {
            var givenSubscriptions = (SubscriptionId ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
            if (InputObject?.BaseObject is string text)
            {
                ResourceId = new[] { text };
            }

            var ids = (ResourceId ?? Array.Empty<string>()).Where(id => !string.IsNullOrWhiteSpace(id)).ToList();
            if (ids.Count > 0)
            {
                sawInput = true;
                foreach (var id in ids)
                {
                    if (SubscriptionOnly(id) is string subscription)
                    {
                        subscriptions.Add(subscription);
                    }
                    else
                    {
                        scopes.Add(ConnectionScope.ResourceId(id));
                    }
                }
            }
            else if (!string.IsNullOrWhiteSpace(ResourceGroupName))
            {
                sawInput = true;
                scopes.Add(ConnectionScope.ResourceGroup(ResourceGroupName!, givenSubscriptions));
            }
            else if (givenSubscriptions.Count > 0)
            {
                sawInput = true;
                subscriptions.AddRange(givenSubscriptions);
            }
            else if (InputObject != null)
            {
                sawInput = true;
                WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                    "The input has no ResourceId, Id, ResourceGroupName or SubscriptionId value; it was skipped. Pipe resource ids or objects from Az cmdlets.", InputObject));
            }
        }

        protected override void EndProcessing()
        {
            if (subscriptions.Count > 0)
            {
                scopes.Add(ConnectionScope.Subscriptions(subscriptions.Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
            }

            if (!sawInput)
            {
                scopes.Add(ConnectionScope.All());
            }

            var options = new ExpiringCredentialOptions
            {
                WithinDays = WithinDays,
                ExcludeExpired = ExcludeExpired,
                ExactAppIds = AppId != null && AppId.All(a => !WildcardPattern.ContainsWildcardCharacters(a)) ? AppId : Array.Empty<string>(),
                Filter = Matches,
                Kinds = new HashSet<CredentialKind>(Kind ?? Array.Empty<CredentialKind>()),
                ScanConnections = !NoConnectionScan,
                ReadRunHistory = !NoRunHistory,
                UseResourceGraph = !NoResourceGraph,
            };
            var session = SessionStore.Current;
            var target = string.Join(",", scopes.Select(s => s.Description));
            Run(target, (sink, token) => new ExpiringCredentialScanner(session, sink, options).ScanAsync(scopes, token));
        }

        private bool Matches(ExpiringCredential row) =>
            MatchesAny(AppId, row.AppId) && (DisplayName == null || MatchesAny(DisplayName, row.DisplayName) || MatchesAny(DisplayName, row.Name));

        private static bool MatchesAny(IReadOnlyCollection<string>? patterns, string value) =>
            patterns == null || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));

        private static string? SubscriptionOnly(string id)
        {
            var trimmed = id.Trim().TrimEnd('/');
            const string prefix = "/subscriptions/";
            if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed.Substring(prefix.Length);
            }

            return Guid.TryParse(trimmed, out var subscription) ? subscription.ToString("D") : null;
        }
    }
}

namespace LogicAppAuth.Engine.Arm
{
    internal static class ApiVersions
    {
        public const string Subscriptions = "2022-12-01";
        public const string ResourceGroups = "2021-04-01";
        public const string Connections = "2016-06-01";
        public const string Workflows = "2019-05-01";
        public const string Sites = "2023-12-01";
    }
}

using LogicAppAuth.Engine.Auth;

namespace LogicAppAuth.Engine.Session
{
    /// <summary>The session chosen by Connect-LogicAppAuth, or Azure.Identity's credential chain when none was.</summary>
    public static class SessionStore
    {
        private static readonly object Gate = new object();
        private static AzureSession? current;

        public static bool IsConnected
        {
            get { lock (Gate) { return current != null; } }
        }

        public static AzureSession Current
        {
            get
            {
                lock (Gate)
                {
                    return current ??= AzureSession.Create(new SignInRequest { Method = SignInMethod.CredentialChain });
                }
            }
        }

        public static void Set(AzureSession session)
        {
            lock (Gate) { current = session; }
        }

        public static void Clear()
        {
            lock (Gate) { current = null; }
        }
    }
}

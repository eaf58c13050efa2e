using LogicAppAuth.Engine.Auth;

namespace LogicAppAuth.Engine.Session
{
    /// <summary>
    /// The session chosen by Connect-LogicAppAuth, or Azure.Identity's credential chain when none was. After a failed
    /// Connect there is none: calls are refused until a Connect succeeds or Disconnect is run, so that a script that
    /// goes on after the failure never works as an earlier identity or whatever the default chain finds.
    /// </summary>
    public static class SessionStore
    {
        private static readonly object Gate = new object();
        private static AzureSession? current;
        private static bool signInFailed;

        public static bool SignInFailed
        {
            get { lock (Gate) { return signInFailed; } }
        }

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
            lock (Gate) { current = session; signInFailed = false; }
        }

        public static void Clear()
        {
            lock (Gate) { current = null; signInFailed = false; }
        }

        public static void MarkSignInFailed()
        {
            lock (Gate) { current = null; signInFailed = true; }
        }
    }
}

using System;

namespace LogicAppAuth.Engine.Errors
{
    /// <summary>
    /// A failure the user can act on: a PascalCase error id, its kind, the resource it concerns and a
    /// message that says what to do. Messages never contain tokens or secrets.
    /// </summary>
    public class LogicAppAuthException : Exception
    {
        public LogicAppAuthException(string errorId, FailureKind kind, string message, string? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target ?? "";
        }

        public string ErrorId { get; }
        public FailureKind Kind { get; }
        public string Target { get; }
        public int? HttpStatus { get; set; }
    }
}

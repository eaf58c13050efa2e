using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>Lets a SecureString parameter also take a plain string, as Connect-AzAccount's token parameters do.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is string text)
        {
            var secure = new SecureString();
            foreach (var c in text)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        return value;
    }
}

internal static class SecureStrings
{
    /// <summary>Reads a SecureString for the moment it is handed to Azure.Identity; the plain copy is never stored by the module.</summary>
    public static string? Reveal(SecureString? secure)
    {
        if (secure == null)
        {
            return null;
        }

        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(pointer);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}

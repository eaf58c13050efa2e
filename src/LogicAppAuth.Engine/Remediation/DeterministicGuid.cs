using System;
using System.Security.Cryptography;
using System.Text;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>Name-based (RFC 4122 version 5, SHA-1) GUIDs, so that the same grant always gets the same role assignment name.</summary>
public static class DeterministicGuid
{
    /// <summary>The namespace of LogicAppAuth's names (a fixed random GUID).</summary>
    private static readonly Guid Namespace = new Guid("3b0f6f0e-5d38-4f7c-9b0a-7e52c1d4a9e6");

    public static Guid Create(string name)
    {
        var namespaceBytes = Namespace.ToByteArray();
        SwapByteOrder(namespaceBytes);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] hash;
        using (var sha1 = SHA1.Create())
        {
            var input = new byte[namespaceBytes.Length + nameBytes.Length];
            Buffer.BlockCopy(namespaceBytes, 0, input, 0, namespaceBytes.Length);
            Buffer.BlockCopy(nameBytes, 0, input, namespaceBytes.Length, nameBytes.Length);
            hash = sha1.ComputeHash(input);
        }

        var result = new byte[16];
        Array.Copy(hash, result, 16);
        result[6] = (byte)((result[6] & 0x0F) | 0x50);
        result[8] = (byte)((result[8] & 0x3F) | 0x80);
        SwapByteOrder(result);
        return new Guid(result);
    }

    /// <summary>The role assignment name for one principal, role and scope (case does not matter in any of them).</summary>
    public static Guid ForRoleAssignment(string scope, string principalId, string roleDefinitionGuid) =>
        Create($"roleAssignment|{scope.TrimEnd('/').ToLowerInvariant()}|{principalId.ToLowerInvariant()}|{roleDefinitionGuid.ToLowerInvariant()}");

    /// <summary>Guid's byte layout is little-endian in its first three fields; RFC 4122 is big-endian.</summary>
    private static void SwapByteOrder(byte[] guid)
    {
        Swap(guid, 0, 3);
        Swap(guid, 1, 2);
        Swap(guid, 4, 5);
        Swap(guid, 6, 7);
    }

    private static void Swap(byte[] bytes, int a, int b)
    {
        var t = bytes[a];
        bytes[a] = bytes[b];
        bytes[b] = t;
    }
}

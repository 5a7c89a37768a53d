using System.IO.Compression;

namespace Sso.Api.Saml;

/// <summary>
/// Inflates the raw DEFLATE (RFC 1951) of the HTTP-Redirect binding with a cap on the output: a few KiB of
/// compressed zeros inflate to gigabytes, so the stream is read only up to the cap and refused beyond it.
/// The only inflater in Sso.Api (the ACS takes HTTP-POST, which is not compressed).
/// </summary>
public static class CappedInflater
{
    /// <summary>A LogoutRequest or LogoutResponse is well under 8 KiB; 64 KiB leaves room and stops a bomb.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    public enum Result
    {
        Ok,
        TooLarge,
        Malformed,
    }

    public static Result TryInflate(byte[] compressed, out byte[] inflated, int maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        inflated = [];
        try
        {
            using var deflate = new DeflateStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            var buffer = new byte[maxBytes + 1];
            var total = 0;
            int read;
            // One byte beyond the cap is enough to know the output is too large; nothing more is inflated.
            while (total < buffer.Length && (read = deflate.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }
            if (total > maxBytes)
            {
                return Result.TooLarge;
            }
            inflated = buffer[..total];
            return total == 0 ? Result.Malformed : Result.Ok;
        }
        catch (InvalidDataException)
        {
            return Result.Malformed;
        }
    }

    /// <summary>Raw DEFLATE of UTF-8 XML, as the HTTP-Redirect binding sends it.</summary>
    public static byte[] Deflate(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(bytes, 0, bytes.Length);
        }
        return buffer.ToArray();
    }
}

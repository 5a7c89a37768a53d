using System.IO.Compression;
using Sso.Api.Saml;

namespace Sso.Api.Tests.Saml;

/// <summary>The HTTP-Redirect binding's DEFLATE is inflated up to 64 KiB only (ASVS 5.2.3 compression bombs; CWE-409).</summary>
public class CappedInflaterTests
{
    private static byte[] Deflate(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(data);
        }
        return buffer.ToArray();
    }

    [Fact]
    public void A_ten_megabyte_deflate_bomb_of_about_ten_kilobytes_is_refused()
    {
        var bomb = Deflate(new byte[10 * 1024 * 1024]);
        Assert.InRange(bomb.Length, 1, 20 * 1024);

        Assert.Equal(CappedInflater.Result.TooLarge, CappedInflater.TryInflate(bomb, out var inflated));
        Assert.Empty(inflated);
    }

    [Fact]
    public void Output_of_exactly_the_cap_inflates_and_one_byte_more_is_refused()
    {
        var atCap = Enumerable.Range(0, CappedInflater.DefaultMaxBytes).Select(i => (byte)(i * 7)).ToArray();

        Assert.Equal(CappedInflater.Result.Ok, CappedInflater.TryInflate(Deflate(atCap), out var inflated));
        Assert.Equal(atCap, inflated);
        Assert.Equal(CappedInflater.Result.TooLarge, CappedInflater.TryInflate(Deflate([.. atCap, 1]), out _));
    }

    [Fact]
    public void Bytes_that_are_not_deflate_are_malformed()
    {
        Assert.Equal(CappedInflater.Result.Malformed, CappedInflater.TryInflate([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13], out _));
        Assert.Equal(CappedInflater.Result.Malformed, CappedInflater.TryInflate([], out _));
    }

    [Fact]
    public void What_deflate_makes_inflates_back()
    {
        var xml = "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"u8.ToArray();

        Assert.Equal(CappedInflater.Result.Ok, CappedInflater.TryInflate(CappedInflater.Deflate(xml), out var inflated));
        Assert.Equal(xml, inflated);
    }
}

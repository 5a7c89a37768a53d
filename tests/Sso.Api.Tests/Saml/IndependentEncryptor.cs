using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Sso.Api.Saml;

namespace Sso.Api.Tests.Saml;

/// <summary>
/// Encrypts the assertion of a test response the way an IdP would, with implementations that share no code with
/// .NET's: xmlsec1 (Debian's, on OpenSSL; installed by test.sh) and, for what xmlsec1 1.2 lacks (xmlenc11#rsa-oaep
/// with SHA-256), Node's crypto through Saml/Tools/xmlenc-encrypt.js.
/// </summary>
internal static class IndependentEncryptor
{
    public const string Xenc = AssertionDecryptor.XencNamespace;

    /// <summary>The assertion of <paramref name="doc"/> (already signed, or not) replaced by an EncryptedAssertion, by xmlsec1.</summary>
    /// <param name="content">e.g. aes256-gcm (xmlenc11) or aes128-cbc (xmlenc).</param>
    /// <param name="keyTransport">rsa-oaep-mgf1p or rsa-1_5.</param>
    public static XmlDocument WithXmlsec(XmlDocument doc, X509Certificate2 spCertificate, string content, string keyTransport = "rsa-oaep-mgf1p")
    {
        var dir = Directory.CreateTempSubdirectory("xmlsec-");
        try
        {
            // xmlsec1 replaces the node it encrypts; wrapping it first leaves EncryptedAssertion/EncryptedData.
            var assertion = TestIdp.Assertion(doc);
            var wrapper = doc.CreateElement("saml", "EncryptedAssertion", SamlConstants.AssertionNamespace);
            assertion.ParentNode!.ReplaceChild(wrapper, assertion);
            wrapper.AppendChild(assertion);

            var contentUri = (content.EndsWith("gcm", StringComparison.Ordinal) ? AssertionDecryptor.Xenc11Namespace : Xenc) + content;
            var template =
                $"<xenc:EncryptedData xmlns:xenc=\"{Xenc}\" Type=\"{Xenc}Element\"><xenc:EncryptionMethod Algorithm=\"{contentUri}\"/>" +
                $"<ds:KeyInfo xmlns:ds=\"{SamlConstants.XmlDsigNamespace}\"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm=\"{Xenc}{keyTransport}\"/>" +
                "<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>" +
                "<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>";
            File.WriteAllText(Path.Combine(dir.FullName, "template.xml"), template);
            File.WriteAllText(Path.Combine(dir.FullName, "data.xml"), doc.OuterXml);
            File.WriteAllText(Path.Combine(dir.FullName, "sp.pem"), spCertificate.ExportCertificatePem());
            var sessionKey = content.StartsWith("aes128", StringComparison.Ordinal) ? "aes-128" : "aes-256";
            var output = Run("xmlsec1", dir.FullName, "encrypt", "--pubkey-cert-pem", "sp.pem", "--session-key", sessionKey,
                "--xml-data", "data.xml", "--node-name", SamlConstants.AssertionNamespace + ":Assertion", "template.xml");
            var encrypted = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            encrypted.LoadXml(output);
            return encrypted;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The assertion replaced by an EncryptedAssertion made by Node's crypto (xmlenc-encrypt.js).</summary>
    /// <param name="keyTransport">rsa-oaep-mgf1p, rsa-oaep-sha1 or rsa-oaep-sha256 (xmlenc11#rsa-oaep, SHA-256 digest and MGF1).</param>
    public static XmlDocument WithNode(XmlDocument doc, X509Certificate2 spCertificate, string content, string keyTransport)
    {
        var dir = Directory.CreateTempSubdirectory("xmlenc-node-");
        try
        {
            var assertion = TestIdp.Assertion(doc);
            // Serialized on its own, as IdPs do: the namespaces it uses are declared on it.
            File.WriteAllText(Path.Combine(dir.FullName, "assertion.xml"), assertion.OuterXml);
            File.WriteAllText(Path.Combine(dir.FullName, "sp.pem"), spCertificate.ExportCertificatePem());
            var script = Path.Combine(AppContext.BaseDirectory, "Saml", "Tools", "xmlenc-encrypt.js");
            var encryptedData = Run("node", dir.FullName, script, "sp.pem", "assertion.xml", content, keyTransport);
            return Replace(doc, encryptedData);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The assertion replaced by an EncryptedAssertion holding <paramref name="encryptedDataXml"/>.</summary>
    public static XmlDocument Replace(XmlDocument doc, string encryptedDataXml)
    {
        var assertion = TestIdp.Assertion(doc);
        var wrapper = doc.CreateElement("saml", "EncryptedAssertion", SamlConstants.AssertionNamespace);
        var fragment = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        fragment.LoadXml(encryptedDataXml);
        wrapper.AppendChild(doc.ImportNode(fragment.DocumentElement!, deep: true));
        assertion.ParentNode!.ReplaceChild(wrapper, assertion);
        return doc;
    }

    private static string Run(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {stderr.Result}");
        }
        return stdout.Result;
    }
}

using System.Text;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>Hardened XML loading shared by the response validator and the metadata reader.</summary>
internal static class SafeXml
{
    internal enum LoadError
    {
        None,
        Malformed,
        DtdProhibited,
    }

    // SAML messages nest about a dozen levels; a tight cap keeps recursive
    // canonicalisation and InnerText far from stack exhaustion.
    internal const int MaxDepth = 64;

    private static XmlReaderSettings ReaderSettings() => new()
    {
        // No DTDs at all: rules out entity expansion bombs and external entities (XXE).
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        CloseInput = true,
    };

    /// <param name="namespaces">
    /// Prefixes in scope around the input, for a fragment cut out of a larger document (a decrypted assertion).
    /// </param>
    internal static LoadError TryLoad(byte[] bytes, out XmlDocument? document, IReadOnlyList<(string Prefix, string Uri)>? namespaces = null)
    {
        document = null;
        try
        {
            // First pass streams through the input to bound its depth before a DOM is built.
            using (var reader = Create(bytes, namespaces))
            {
                while (reader.Read())
                {
                    if (reader.Depth > MaxDepth)
                    {
                        return LoadError.Malformed;
                    }
                }
            }

            var doc = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            using (var reader = Create(bytes, namespaces))
            {
                doc.Load(reader);
            }

            document = doc;
            return LoadError.None;
        }
        catch (XmlException)
        {
            // XmlException carries no stable code for the DTD case, so classify by looking for
            // the declaration itself. Either way the input has been refused.
            return ContainsDoctype(bytes) ? LoadError.DtdProhibited : LoadError.Malformed;
        }
    }

    private static XmlReader Create(byte[] bytes, IReadOnlyList<(string Prefix, string Uri)>? namespaces)
    {
        var stream = new MemoryStream(bytes, writable: false);
        if (namespaces is null || namespaces.Count == 0)
        {
            return XmlReader.Create(stream, ReaderSettings());
        }
        var nameTable = new NameTable();
        var manager = new XmlNamespaceManager(nameTable);
        foreach (var (prefix, uri) in namespaces)
        {
            if (prefix != "xml" && prefix != "xmlns")
            {
                manager.AddNamespace(prefix, uri);
            }
        }
        return XmlReader.Create(stream, ReaderSettings(), new XmlParserContext(nameTable, manager, null, XmlSpace.None));
    }

    private static bool ContainsDoctype(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase);

    internal static IEnumerable<XmlElement> Children(XmlElement parent, string ns, string localName)
    {
        foreach (XmlNode node in parent.ChildNodes)
        {
            if (node is XmlElement e && e.LocalName == localName && e.NamespaceURI == ns)
            {
                yield return e;
            }
        }
    }

    /// <summary>The only child with this name, or null when there is none or more than one.</summary>
    internal static XmlElement? SingleChild(XmlElement parent, string ns, string localName)
    {
        XmlElement? found = null;
        foreach (var e in Children(parent, ns, localName))
        {
            if (found is not null)
            {
                return null;
            }

            found = e;
        }

        return found;
    }

    internal static int CountChildren(XmlElement parent, string ns, string localName) =>
        Children(parent, ns, localName).Count();

    /// <summary>Attribute value, or null when absent (XmlElement.GetAttribute returns "" for both).</summary>
    internal static string? Attr(XmlElement e, string name) =>
        e.GetAttributeNode(name)?.Value;
}

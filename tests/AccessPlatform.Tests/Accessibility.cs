using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>axe-core on a rendered page: no violations of WCAG 2.0/2.1 A and AA (the rules the pages are built to).</summary>
public static class Accessibility
{
    private static readonly AxeRunOptions WcagAA = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        // Every rule still runs; only violations carry all their nodes back (passes are most of a result's size).
        ResultTypes = [ResultType.Violations],
    };

    public static async Task AssertNoViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(WcagAA);
        Assert.True(result.Violations.Length == 0,
            $"{page.Url}: {result.Violations.Length} axe violations:\n" + string.Join('\n', result.Violations.Select(v =>
                $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }
}

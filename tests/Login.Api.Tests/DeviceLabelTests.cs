using AccessPlatform.Login.Flow;

namespace AccessPlatform.Login.Tests;

public sealed class DeviceLabelTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on Linux")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("curl/8.4.0", "Other client")]
    [InlineData("", "Unknown browser")]
    public void A_user_agent_becomes_a_short_device_label(string userAgent, string label) =>
        Assert.Equal(label, DeviceLabels.FromUserAgent(userAgent));
}

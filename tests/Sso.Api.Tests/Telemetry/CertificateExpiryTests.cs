using AccessPlatform.Sso.Telemetry;

namespace Sso.Api.Tests.Telemetry;

public class CertificateExpiryTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Warning = TimeSpan.FromDays(30);

    [Fact]
    public void Certificates_expiring_within_thirty_days_warn_and_later_ones_do_not()
    {
        var snapshot = ExpirySnapshot.Of(
        [
            new("contoso", ExpirySnapshot.Idp, Now.AddDays(29)),
            new("contoso", ExpirySnapshot.Sp, Now.AddDays(31)),
            new("fabrikam", ExpirySnapshot.Sp, Now.AddDays(-1)),
        ], Now, Warning);

        Assert.Equal(["contoso:idp", "fabrikam:sp"], snapshot.Expiring.Select(c => $"{c.Account}:{c.Kind}").Order());
        Assert.Equal(29, snapshot.DaysLeftByKind[ExpirySnapshot.Idp]);
        Assert.Equal(-1, snapshot.DaysLeftByKind[ExpirySnapshot.Sp]);
    }

    [Fact]
    public void Nothing_expiring_means_nothing_to_warn_about()
    {
        var snapshot = ExpirySnapshot.Of([new("contoso", ExpirySnapshot.Sp, Now.AddDays(700))], Now, Warning);

        Assert.Empty(snapshot.Expiring);
    }
}

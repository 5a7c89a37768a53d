namespace AccessPlatform.Contracts;

/// <summary>
/// The service-to-service wall: every route under <see cref="PathPrefix"/> of every service needs the shared key in
/// <see cref="KeyHeader"/> (an Aspire parameter the AppHost generates per run and gives to every service as
/// <see cref="KeySetting"/>; the dashboard commands send it too). The gateway never routes <see cref="PathPrefix"/>.
/// </summary>
public static class InternalApi
{
    public const string PathPrefix = "/internal";
    public const string KeyHeader = "X-Internal-Api-Key";
    public const string Section = "InternalApi";
    public const string KeySetting = Section + ":Key";
}

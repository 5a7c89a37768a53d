using Microsoft.Extensions.Configuration;
using System.Diagnostics;

namespace AccessPlatform.AppHost.Infrastructure;

public enum InfrastructureMode { Auto, Containers, Local }

internal static class InfrastructureModeResolver
{
    /// <summary>
    /// <c>Infrastructure:Mode</c> wins; on <c>Auto</c> the usual Aspire containers run where a container runtime
    /// answers, and local processes from Debian packages where none does.
    /// </summary>
    public static InfrastructureMode Resolve(IConfiguration configuration)
    {
        var configured = configuration.GetValue("Infrastructure:Mode", InfrastructureMode.Auto);
        if (configured != InfrastructureMode.Auto)
        {
            return configured;
        }
        return Answers("docker") || Answers("podman") ? InfrastructureMode.Containers : InfrastructureMode.Local;
    }

    private static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}

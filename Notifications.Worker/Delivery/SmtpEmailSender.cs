using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using AccessPlatform.Contracts;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AccessPlatform.Notifications.Delivery;

public interface IEmailSender
{
    Task SendAsync(SendEmail email, CancellationToken cancellationToken);
}

/// <summary>
/// Sends through the <c>mail</c> connection (<c>smtp://host:port</c>, or <c>smtps://</c> for TLS on connect). Connections
/// are kept open between emails (<see cref="MailOptions.PoolSize"/>, idle at most <see cref="MailOptions.IdleSeconds"/>):
/// the handshake of a new one (TCP, EHLO, STARTTLS, AUTH) was most of an email's delivery time under load.
/// </summary>
public sealed class SmtpEmailSender(IConfiguration configuration, IOptions<MailOptions> options) : IEmailSender, IDisposable
{
    public const string Provider = "smtp";

    /// <summary>The SMTP hand-over as its own span, so a code's trace ends at the provider.</summary>
    private static readonly ActivitySource Source = new("AccessPlatform.Notifications");

    private readonly Uri server = new(configuration.GetConnectionString("mail")
        ?? throw new InvalidOperationException("Connection string 'mail' is missing."));

    private readonly ConcurrentBag<(SmtpClient Client, long IdleSince)> idle = [];

    public async Task SendAsync(SendEmail email, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = email.Subject };
        message.From.Add(MailboxAddress.Parse(options.Value.From));
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Headers.Add("X-Message-Id", email.MessageId.ToString());
        var body = new BodyBuilder { TextBody = email.TextBody, HtmlBody = email.HtmlBody };
        message.Body = body.ToMessageBody();

        using var activity = Source.StartActivity("smtp send", ActivityKind.Client);
        activity?.SetTag("server.address", server.Host);
        activity?.SetTag("server.port", server.Port);
        try
        {
            if (TakeIdle() is { } reused)
            {
                try
                {
                    await reused.SendAsync(message, cancellationToken);
                    Keep(reused);
                    return;
                }
                catch (Exception ex) when (ex is ServiceNotConnectedException or IOException or SmtpProtocolException or SocketException)
                {
                    // The server closed the kept connection meanwhile: once more on a new one.
                    reused.Dispose();
                    activity?.AddEvent(new ActivityEvent("smtp reconnect"));
                }
                catch
                {
                    reused.Dispose();
                    throw;
                }
            }
            var client = await ConnectAsync(cancellationToken);
            try
            {
                await client.SendAsync(message, cancellationToken);
            }
            catch
            {
                client.Dispose();
                throw;
            }
            Keep(client);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            throw new PermanentDeliveryException($"smtp-{(int)ex.StatusCode}", ex);
        }
        catch (SmtpCommandException ex)
        {
            throw new TransientDeliveryException($"smtp-{(int)ex.StatusCode}", ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException)
        {
            throw new TransientDeliveryException("smtp-unreachable", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // MailKit's own timeout: the server accepted the connection but did not answer.
            throw new TransientDeliveryException("smtp-timeout", ex);
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = options.Value.TimeoutMs };
        try
        {
            var security = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
            await client.ConnectAsync(server.Host, server.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(options.Value.Username))
            {
                await client.AuthenticateAsync(options.Value.Username, options.Value.Password ?? "", cancellationToken);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A kept connection that is still open and was not idle too long (servers drop idle ones).</summary>
    private SmtpClient? TakeIdle()
    {
        while (idle.TryTake(out var kept))
        {
            if (kept.Client.IsConnected && Stopwatch.GetElapsedTime(kept.IdleSince) < TimeSpan.FromSeconds(options.Value.IdleSeconds))
            {
                return kept.Client;
            }
            kept.Client.Dispose();
        }
        return null;
    }

    private void Keep(SmtpClient client)
    {
        if (client.IsConnected && idle.Count < options.Value.PoolSize)
        {
            idle.Add((client, Stopwatch.GetTimestamp()));
        }
        else
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        while (idle.TryTake(out var kept))
        {
            kept.Client.Dispose();
        }
    }
}

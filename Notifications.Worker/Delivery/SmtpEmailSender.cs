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

/// <summary>Sends through the <c>mail</c> connection (<c>smtp://host:port</c>, or <c>smtps://</c> for TLS on connect).</summary>
public sealed class SmtpEmailSender(IConfiguration configuration, IOptions<MailOptions> options) : IEmailSender
{
    public const string Provider = "smtp";

    /// <summary>The SMTP hand-over as its own span, so a code's trace ends at the provider.</summary>
    private static readonly System.Diagnostics.ActivitySource Source = new("AccessPlatform.Notifications");

    private readonly Uri server = new(configuration.GetConnectionString("mail")
        ?? throw new InvalidOperationException("Connection string 'mail' is missing."));

    public async Task SendAsync(SendEmail email, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = email.Subject };
        message.From.Add(MailboxAddress.Parse(options.Value.From));
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Headers.Add("X-Message-Id", email.MessageId.ToString());
        var body = new BodyBuilder { TextBody = email.TextBody, HtmlBody = email.HtmlBody };
        message.Body = body.ToMessageBody();

        using var activity = Source.StartActivity("smtp send", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("server.address", server.Host);
        activity?.SetTag("server.port", server.Port);
        using var client = new SmtpClient { Timeout = options.Value.TimeoutMs };
        try
        {
            var security = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
            await client.ConnectAsync(server.Host, server.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(options.Value.Username))
            {
                await client.AuthenticateAsync(options.Value.Username, options.Value.Password ?? "", cancellationToken);
            }
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
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
}

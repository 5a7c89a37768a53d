using AccessPlatform.Contracts;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace AccessPlatform.Notifications.Delivery;

public interface ISmsSender
{
    Task SendAsync(SendSms sms, CancellationToken cancellationToken);
}

/// <summary>Sends with the real Twilio SDK; in dev and tests its requests go to the local sink.</summary>
public sealed class TwilioSmsSender(ITwilioRestClient client, IOptions<TwilioOptions> options) : ISmsSender
{
    public const string Provider = "twilio";
    public const string HttpClientName = "twilio";

    public async Task SendAsync(SendSms sms, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var request = new CreateMessageOptions(new PhoneNumber(sms.To)) { Body = sms.Body };
        if (!string.IsNullOrEmpty(settings.MessagingServiceSid))
        {
            request.MessagingServiceSid = settings.MessagingServiceSid;
        }
        else
        {
            request.From = new PhoneNumber(settings.From);
        }
        try
        {
            await MessageResource.CreateAsync(request, client);
        }
        catch (ApiException ex) when (ex.Status == 429 || ex.Status >= 500)
        {
            throw new TransientDeliveryException($"twilio-{ex.Status}", ex);
        }
        catch (ApiException ex)
        {
            throw new PermanentDeliveryException($"twilio-{ex.Code}", ex);
        }
        catch (Exception ex) when (ex is ApiConnectionException or HttpRequestException
            || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TransientDeliveryException("twilio-unreachable", ex);
        }
    }
}

/// <summary>Rewrites the SDK's https://api.twilio.com requests to the configured base address.</summary>
public sealed class TwilioBaseAddressHandler(IOptions<TwilioOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.Value.BaseAddress is { } baseAddress && request.RequestUri is { } uri)
        {
            request.RequestUri = new Uri(baseAddress, uri.PathAndQuery);
        }
        return base.SendAsync(request, cancellationToken);
    }
}

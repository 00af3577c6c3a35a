using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure.Core;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// The on-demand run queue (<c>GUIDELLM_QUEUE</c>) and its <c>&lt;queue&gt;-poison</c> companion, encoded as the Functions
/// host expects (base64, host.json <c>messageEncoding</c>). Shared by the queue trigger, the KEDA worker and <c>enqueue</c>.
/// </summary>
public sealed class RunQueue
{
    /// <summary>The default queue name.</summary>
    public const string DefaultName = "guidellm-runs";

    // People read the poison queue in Storage Explorer or the portal: quotes and apostrophes stay as typed.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the queue pair in the storage account of <paramref name="connection"/>.</summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The first parameters differ in type, so no call is ambiguous.")]
    public RunQueue(string connection, string? name = null)
        : this(name, options => new QueueServiceClient(connection, options))
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
    }

    /// <summary>Creates the queue pair at <paramref name="queueServiceUri"/> (<c>https://ACCOUNT.queue.core.windows.net</c>) with a token credential (managed identity).</summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The first parameters differ in type, so no call is ambiguous.")]
    public RunQueue(Uri queueServiceUri, TokenCredential credential, string? name = null)
        : this(name, options => new QueueServiceClient(queueServiceUri, credential, options))
    {
    }

    private RunQueue(string? name, Func<QueueClientOptions, QueueServiceClient> service)
    {
        Name = string.IsNullOrWhiteSpace(name) ? DefaultName : name;
        var encoded = service(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64, Transport = Client.Transport.OutboundHttp.Azure });
        Queue = encoded.GetQueueClient(Name);
        Poison = encoded.GetQueueClient(PoisonName);

        // Received bodies are decoded here, so a message posted without base64 (a portal or a script) is still read.
        Receiver = service(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None, Transport = Client.Transport.OutboundHttp.Azure }).GetQueueClient(Name);
    }

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary>The poison queue name.</summary>
    public string PoisonName => Name + "-poison";

    /// <summary>The queue, for sending (base64).</summary>
    public QueueClient Queue { get; }

    /// <summary>The poison queue (base64).</summary>
    public QueueClient Poison { get; }

    /// <summary>The queue, for receiving: bodies are decoded by <see cref="Decode"/>.</summary>
    public QueueClient Receiver { get; }

    /// <summary>Posts <paramref name="message"/> (JSON text).</summary>
    /// <returns>The message id.</returns>
    public async Task<string> SendAsync(string message, CancellationToken cancellationToken = default)
    {
        await Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var receipt = await Queue.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
        return receipt.Value.MessageId;
    }

    /// <summary>Posts <paramref name="message"/> (JSON text), visible only after <paramref name="delay"/> (at most 7 days, the queue's limit).</summary>
    /// <returns>The message id.</returns>
    public async Task<string> SendLaterAsync(string message, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var visibility = delay <= TimeSpan.Zero ? (TimeSpan?)null : TimeSpan.FromSeconds(Math.Min(Math.Ceiling(delay.TotalSeconds), TimeSpan.FromDays(7).TotalSeconds - 1));
        var receipt = await Queue.SendMessageAsync(message, visibility, null, cancellationToken).ConfigureAwait(false);
        return receipt.Value.MessageId;
    }

    /// <summary>Moves <paramref name="message"/> to the poison queue as <c>{"reason", "message"}</c>.</summary>
    public async Task PoisonAsync(string message, string reason, CancellationToken cancellationToken = default)
    {
        await Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["reason"] = reason, ["message"] = message }, Readable);
        await Poison.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The text of a received message: base64 of UTF-8 as the host and <c>enqueue</c> write it, or plain text.</summary>
    public static string Decode(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var raw = message.Body.ToString();
        var buffer = new byte[raw.Length];
        if (Convert.TryFromBase64String(raw, buffer, out var written))
        {
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8 once decoded: the text itself is the message.
            }
        }

        return raw;
    }
}

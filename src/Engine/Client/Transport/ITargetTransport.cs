namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>Sends a request to a target and hands back its response head with the body still to read.</summary>
internal interface ITargetTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> (the completion itself, or a GET of the model list beside it) and returns once
    /// the response headers have arrived. Transport faults surface as <see cref="HttpRequestException"/> before the
    /// headers and <see cref="IOException"/> while the body is read; cancellation as <see cref="OperationCanceledException"/>.
    /// </summary>
    ValueTask<TargetResponse> SendAsync(CompletionRequest request, TargetRequestKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Opens connections to <paramref name="template"/>'s target until <paramref name="connections"/> are ready for its
    /// requests (those already pooled count), before a stage's clock starts, so its first requests do not each pay a TCP
    /// connect and TLS handshake. Stops at the first connection that cannot be opened (the stage's requests will say why).
    /// </summary>
    /// <returns>The connections ready: idle in the pool, or for .NET's handler, requests it served at once on distinct
    /// HTTP/1.1 connections or multiplexed over HTTP/2 ones.</returns>
    ValueTask<int> PreopenAsync(CompletionRequest template, int connections, CancellationToken cancellationToken) => ValueTask.FromResult(0);
}

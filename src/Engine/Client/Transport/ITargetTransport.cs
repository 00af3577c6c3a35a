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
}

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>What a <see cref="CompletionRequest"/> is sent as.</summary>
internal enum TargetRequestKind
{
    /// <summary>POST of the completion body to <see cref="CompletionRequest.Endpoint"/>.</summary>
    Completion,

    /// <summary>GET of <see cref="CompletionRequest.ModelsEndpoint"/> with the same credentials (a warm-up).</summary>
    Models,
}

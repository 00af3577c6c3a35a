namespace GuidellmFunctions.Engine.Client;

/// <summary>Kinds of <see cref="StreamEvent"/>, in the order a stream produces them.</summary>
internal enum StreamEventKind
{
    /// <summary>Response headers with a 2xx status arrived.</summary>
    Headers,

    /// <summary>A parsed chunk (content-bearing or not).</summary>
    Chunk,

    /// <summary><c>data: [DONE]</c>: the stream ended cleanly.</summary>
    Done,

    /// <summary>The stream ended without <c>[DONE]</c>.</summary>
    EndOfStream,

    /// <summary>The request failed; <see cref="StreamEvent.Reason"/> and <see cref="StreamEvent.Message"/> say why. Last event.</summary>
    Failure,
}

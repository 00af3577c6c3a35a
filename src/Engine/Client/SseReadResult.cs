namespace GuidellmFunctions.Engine.Client;

/// <summary>What <see cref="SseReader.ReadAsync"/> found.</summary>
internal enum SseReadResult
{
    /// <summary>An event with data was dispatched; read it from <see cref="SseReader.Data"/>.</summary>
    Event,

    /// <summary>The stream ended; any trailing event was dispatched before.</summary>
    EndOfStream,

    /// <summary>A line or event exceeded the size limit; the stream cannot be read further.</summary>
    TooLarge,
}

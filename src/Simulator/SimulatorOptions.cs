using GuidellmFunctions.Simulator.Faults;

namespace GuidellmFunctions.Simulator;

/// <summary>How the simulated server behaves.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Port to listen on (0 picks a free one).</summary>
    public int Port { get; init; }

    /// <summary>Address to bind; loopback by default.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The one model served (<c>model_name</c> on /metrics).</summary>
    public string Model { get; init; } = "simulated/llama-3.1-8b-instruct";

    /// <summary>Prefill time: from admission into the batch to the first token.</summary>
    public double TtftMs { get; init; } = 100;

    /// <summary>Decode time per output token with one request running.</summary>
    public double ItlMs { get; init; } = 10;

    /// <summary>How much decode slows with a full batch: ITL × (1 + factor × (running − 1) / max batch).</summary>
    public double ItlLoadFactor { get; init; } = 0.5;

    /// <summary>Natural output length, used when the request sets no max_tokens or does not ask to ignore EOS.</summary>
    public int OutputTokens { get; init; } = 128;

    /// <summary>Tokens per streamed chunk.</summary>
    public int TokensPerChunk { get; init; } = 1;

    /// <summary>Requests decoded at once; the rest wait in a queue (so latency rises with load).</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>Stall length for the stall and slow_headers faults.</summary>
    public TimeSpan StallTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Faults to inject.</summary>
    public IReadOnlyList<FaultRule> Faults { get; init; } = [];

    /// <summary>Seed of the fault draws.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>When set, requests must carry <c>Authorization: Bearer</c> with this key.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Ground-truth records kept for tests (oldest dropped beyond this).</summary>
    public int GroundTruthCapacity { get; init; } = 100_000;

    /// <summary>Count prompt tokens with cl100k_base (true) or estimate them as bytes / 4 (false, cheaper).</summary>
    public bool CountPromptTokens { get; init; } = true;

    /// <summary>
    /// Serve <c>https</c> with a self-signed certificate made at start (<see cref="Tls.SelfSignedCertificate"/>), offering
    /// HTTP/1.1 and HTTP/2; clients must skip verification.
    /// </summary>
    public bool Tls { get; init; }
}

namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>
/// One request inside the engine: what it asks for, where the scheduler has it, and what it has produced. The scheduler
/// changes it only under its lock; the task streaming it reads <see cref="Produced"/> and <see cref="IsDone"/> and waits
/// on <see cref="WaitAsync"/>.
/// </summary>
internal sealed class EngineRequest
{
    private readonly RequestSignal _signal = new();
    private int _produced;
    private volatile bool _done;

    /// <summary>Creates a request of <paramref name="promptTokens"/> tokens asking for <paramref name="outputTokens"/>.</summary>
    /// <param name="id">The request id (for the records).</param>
    /// <param name="arrival">When it arrived, on the scheduler's clock.</param>
    /// <param name="promptTokens">Prompt length in tokens.</param>
    /// <param name="blockHashes">The prompt's full blocks' prefix hashes (block i covers blocks 0..i); empty without prefix caching.</param>
    /// <param name="outputTokens">Tokens it will generate.</param>
    /// <param name="finishReason">Why it ends once they are generated.</param>
    public EngineRequest(string id, long arrival, int promptTokens, ulong[] blockHashes, int outputTokens, FinishReason finishReason)
    {
        Id = id;
        Arrival = arrival;
        PromptTokens = promptTokens;
        BlockHashes = blockHashes;
        OutputTokens = outputTokens;
        FinishReason = finishReason;
        Node = new LinkedListNode<EngineRequest>(this);
    }

    public string Id { get; }

    public long Arrival { get; }

    public int PromptTokens { get; }

    public ulong[] BlockHashes { get; }

    public int OutputTokens { get; }

    public FinishReason FinishReason { get; }

    /// <summary>Its place in the waiting or running queue (one node, moved between them).</summary>
    public LinkedListNode<EngineRequest> Node { get; }

    public RequestState State { get; set; }

    /// <summary>KV blocks held, in sequence order (only with a KV limit).</summary>
    public List<KvBlock> Blocks { get; } = [];

    /// <summary>Leading blocks of <see cref="Blocks"/> that carry their prompt hash in the cache.</summary>
    public int HashedBlocks { get; set; }

    /// <summary>Tokens whose KV is computed (from the cache or by prefill).</summary>
    public int Computed { get; set; }

    /// <summary>Tokens to compute before the next token can be sampled: the prompt, plus the output so far after a preemption.</summary>
    public int PrefillTarget { get; set; }

    /// <summary>Tokens given to this request in the step in flight; whether they are prefill.</summary>
    public int Scheduled { get; set; }

    public bool ScheduledPrefill { get; set; }

    /// <summary>Tokens generated so far (only the scheduler writes it).</summary>
    public int Generated { get; set; }

    /// <summary>Prompt tokens found in the prefix cache at first admission.</summary>
    public int CachedTokens { get; set; }

    public int Preemptions { get; set; }

    /// <summary>Whether it was ever admitted into the running batch; when first, and when its prefill may start.</summary>
    public bool WasAdmitted { get; set; }

    public long AdmittedAt { get; set; }

    public long ReadyAt { get; set; }

    public long FirstTokenAt { get; set; }

    public long LastTokenAt { get; set; }

    /// <summary>Tokens the streaming task may send: read without the lock.</summary>
    public int Produced => Volatile.Read(ref _produced);

    /// <summary>The engine is done with it (finished or aborted); <see cref="Produced"/> is final once this is seen.</summary>
    public bool IsDone => _done;

    /// <summary>Waits for news from the engine (or a <see cref="Wake"/>).</summary>
    public ValueTask WaitAsync() => _signal.WaitAsync();

    /// <summary>Wakes the streaming task, for the engine's news or a cancellation.</summary>
    public void Wake() => _signal.Set();

    public void Publish()
    {
        Volatile.Write(ref _produced, Generated);
        _signal.Set();
    }

    public void Complete(RequestState state)
    {
        State = state;
        Volatile.Write(ref _produced, Generated);
        _done = true;
        _signal.Set();
    }
}

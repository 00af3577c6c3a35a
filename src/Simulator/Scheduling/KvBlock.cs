namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>A KV cache block: who holds it, and the prompt prefix it caches once full.</summary>
internal sealed class KvBlock
{
    public KvBlock() => Node = new LinkedListNode<KvBlock>(this);

    /// <summary>Its place in the free queue while no request holds it.</summary>
    public LinkedListNode<KvBlock> Node { get; }

    public int RefCount { get; set; }

    public ulong Hash { get; set; }

    public bool HasHash { get; set; }
}

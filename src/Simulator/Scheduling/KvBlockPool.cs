namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>
/// The KV cache as vLLM's v1 block pool keeps it: a fixed number of blocks, each held by the requests using it
/// (reference counted), free blocks in one queue, and full prompt blocks findable by their prefix hash. A freed block
/// keeps its hash and stays findable until its space is taken: empty blocks are taken first, then cached ones least
/// recently freed first, the tail of a sequence before its head. Not thread-safe: the scheduler's lock guards it.
/// </summary>
internal sealed class KvBlockPool
{
    private readonly LinkedList<KvBlock> _free = new();
    private readonly Dictionary<ulong, KvBlock> _cached = [];
    private readonly List<KvBlock> _hits = [];
    private readonly bool _prefixCaching;

    public KvBlockPool(int blocks, int blockSize, bool prefixCaching)
    {
        BlockSize = blockSize;
        Total = blocks;
        _prefixCaching = prefixCaching;
        for (var i = 0; i < blocks; i++)
        {
            _free.AddLast(new KvBlock().Node);
        }
    }

    public int BlockSize { get; }

    public int Total { get; }

    public int Free => _free.Count;

    /// <summary>Share of blocks held by requests (cached but free blocks count as free, as in vLLM).</summary>
    public double Usage => Total == 0 ? 0 : (Total - _free.Count) / (double)Total;

    public int BlocksFor(int tokens) => (tokens + BlockSize - 1) / BlockSize;

    /// <summary>
    /// Gives <paramref name="request"/> blocks for its whole sequence so far, reusing the cached blocks of its prompt's
    /// longest cached prefix (never the last token, which must be computed to sample the next); false, changing nothing,
    /// when the free blocks do not suffice.
    /// </summary>
    public bool TryAdmit(EngineRequest request, out int cachedTokens)
    {
        var sequence = request.PromptTokens + request.Generated;
        var needed = BlocksFor(sequence);
        _hits.Clear();
        if (_prefixCaching)
        {
            var hashes = request.BlockHashes;
            var most = Math.Min(hashes.Length, (sequence - 1) / BlockSize);
            while (_hits.Count < most && _cached.TryGetValue(hashes[_hits.Count], out var block))
            {
                _hits.Add(block);
            }
        }

        var freeHits = 0;
        foreach (var block in _hits)
        {
            freeHits += block.RefCount == 0 ? 1 : 0;
        }

        if (needed - _hits.Count + freeHits > _free.Count)
        {
            cachedTokens = 0;
            return false;
        }

        foreach (var block in _hits)
        {
            if (block.RefCount++ == 0)
            {
                _free.Remove(block.Node);
            }

            request.Blocks.Add(block);
        }

        request.HashedBlocks = _hits.Count;
        while (request.Blocks.Count < needed)
        {
            request.Blocks.Add(Take());
        }

        cachedTokens = _hits.Count * BlockSize;
        return true;
    }

    /// <summary>Adds blocks until <paramref name="request"/> holds <paramref name="blocks"/>; false when none is free.</summary>
    public bool TryGrow(EngineRequest request, int blocks)
    {
        while (request.Blocks.Count < blocks)
        {
            if (_free.Count == 0)
            {
                return false;
            }

            request.Blocks.Add(Take());
        }

        return true;
    }

    /// <summary>Makes the full prompt blocks computed so far findable by their hash.</summary>
    public void CacheComputed(EngineRequest request)
    {
        if (!_prefixCaching)
        {
            return;
        }

        var full = Math.Min(request.BlockHashes.Length, Math.Min(request.Computed / BlockSize, request.Blocks.Count));
        for (var i = request.HashedBlocks; i < full; i++)
        {
            var block = request.Blocks[i];
            var hash = request.BlockHashes[i];
            if (!block.HasHash && _cached.TryAdd(hash, block))
            {
                block.Hash = hash;
                block.HasHash = true;
            }
        }

        request.HashedBlocks = Math.Max(request.HashedBlocks, full);
    }

    /// <summary>Releases every block of <paramref name="request"/>; cached ones stay findable until taken.</summary>
    public void Release(EngineRequest request)
    {
        for (var i = request.Blocks.Count - 1; i >= 0; i--)
        {
            var block = request.Blocks[i];
            if (--block.RefCount == 0)
            {
                if (block.HasHash)
                {
                    _free.AddLast(block.Node);
                }
                else
                {
                    _free.AddFirst(block.Node);
                }
            }
        }

        request.Blocks.Clear();
        request.HashedBlocks = 0;
    }

    private KvBlock Take()
    {
        var block = _free.First!.Value;
        _free.RemoveFirst();
        if (block.HasHash)
        {
            // Evicted: its prefix is no longer cached.
            _cached.Remove(block.Hash);
            block.HasHash = false;
        }

        block.RefCount = 1;
        return block;
    }
}

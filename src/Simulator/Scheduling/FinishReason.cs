namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>Why a request's generation ends, as vLLM reports it (<c>finish_reason</c>).</summary>
internal enum FinishReason
{
    /// <summary>The model's end of sequence: its natural length came first.</summary>
    Stop,

    /// <summary>max_tokens (or the context window) came first, or EOS was ignored.</summary>
    Length,
}

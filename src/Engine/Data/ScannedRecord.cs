namespace GuidellmFunctions.Engine.Data;

/// <summary>One record as cut from a dataset file.</summary>
/// <param name="Line">The line it starts on, from 1.</param>
/// <param name="Offset">The byte it starts at.</param>
/// <param name="Bytes">Its bytes without the line end; empty when <paramref name="TooLong"/>.</param>
/// <param name="TooLong">It was longer than the scanner's limit and was skipped.</param>
internal readonly record struct ScannedRecord(long Line, long Offset, ReadOnlyMemory<byte> Bytes, bool TooLong);

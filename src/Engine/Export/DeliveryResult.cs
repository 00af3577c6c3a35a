namespace GuidellmFunctions.Engine.Export;

/// <summary>The result of sending one body.</summary>
/// <param name="Outcome">Delivered, rejected or undeliverable.</param>
/// <param name="Attempts">HTTP attempts made.</param>
/// <param name="Message">The receiver's reason (status and body) or the network error; secrets removed.</param>
internal sealed record DeliveryResult(DeliveryOutcome Outcome, int Attempts, string? Message = null);

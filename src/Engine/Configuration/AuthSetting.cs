namespace GuidellmFunctions.Engine.Configuration;

/// <summary>How a target's requests authenticate besides <c>api_key</c>: a Microsoft Entra ID token (<c>auth: azure_ad</c>).</summary>
/// <param name="Scope">The scope the token is asked for.</param>
public sealed record AuthSetting(string Scope)
{
    /// <summary>The scope of Azure OpenAI and Azure AI endpoints, asked for when none is written.</summary>
    public const string CognitiveServicesScope = "https://cognitiveservices.azure.com/.default";

    /// <summary>The setting as a config writes it.</summary>
    public override string ToString() => Scope == CognitiveServicesScope ? "azure_ad" : $"{{type: azure_ad, scope: {Scope}}}";
}

using System.Text.Json.Nodes;
using GuidellmFunctions.Engine.Configuration.Reading;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>Reads a setting's value from a YAML node (a flag or a queue override arrives as a scalar node); false after recording the problem.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="yaml">Reads scalars and collects problems.</param>
/// <param name="key">The setting's key, for messages.</param>
/// <param name="node">The value as written.</param>
/// <param name="path">The key path, for messages.</param>
/// <param name="value">The value read.</param>
internal delegate bool SettingParser<T>(YamlValues yaml, string key, YamlNode node, string path, out T value);

/// <summary>How a kind of value is read, written as text, put in a report and described in the docs.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="Values">What may be written, for the docs (for example "duration &gt; 0").</param>
/// <param name="Parse">Reads a value.</param>
/// <param name="Text">The value as a config would write it (validate's output, the docs' default).</param>
/// <param name="Report">The value in a report's <c>config</c>; secrets masked.</param>
internal sealed record SettingFormat<T>(string Values, SettingParser<T> Parse, Func<T, string> Text, Func<T, JsonNode?> Report);

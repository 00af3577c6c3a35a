namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Plain English text that synthetic prompts are cut from. It is varied enough that a prompt cut at a random place is
/// not a repeat of another, which keeps prefix caches from turning a load test into a cache benchmark.
/// </summary>
internal static class PromptCorpus
{
    public const string Text = """
        The harbour town woke slowly under a grey sky, and the fishing boats that had gone out before dawn were already
        turning back toward the breakwater. On the quay a boy counted crates while his grandmother argued with a buyer
        about the price of mackerel, and the gulls circled above them as if they had a stake in the outcome. Further up
        the hill the bakery opened its shutters, and the smell of bread drifted down the narrow streets to the water.
        Engineers who build distributed systems learn early that every network call can fail in at least three ways:
        it can be refused, it can time out, or it can succeed on the far side while the answer is lost on the way back.
        A careful design names each of these outcomes and decides, for each, whether to retry, to give up, or to ask.
        In the library the afternoon light fell across long tables where students read about the history of rivers,
        the chemistry of soil, the migration of birds across continents, and the slow arithmetic of compound interest.
        One of them copied a passage about the building of canals in the eighteenth century, when engineers measured
        gradients with water levels and chains, and entire valleys were reshaped by men with shovels and patience.
        The recipe asked for two cups of flour, a spoon of salt, warm water and time; the dough would rise twice, and
        the loaf would be ready only when it sounded hollow when tapped underneath. Nothing about it could be hurried.
        When a model server is under load, requests wait in a queue before they are scheduled into a batch, and the
        time to the first token grows with that wait, while the time between tokens grows with the size of the batch.
        Measuring both from the client side, next to the server's own figures, shows where the time really goes.
        The mountain path climbed through pine forest and then over bare rock, marked by small cairns that walkers had
        built and rebuilt for generations. At the pass the wind was strong enough to lean on, and the view opened onto
        a second valley with a lake the colour of slate and a village whose church bell rang the hour a little late.
        Astronomers once timed the moons of Jupiter to estimate the speed of light, noticing that the eclipses came
        early when the planet was near and late when it was far. The difference was a matter of minutes, yet it was
        enough to show that light does not arrive instantly, and to give a first number for how fast it travels.
        A good report says what was measured, how, and with what error; it keeps the raw observations so that anyone
        can check the summary later, and it never hides a failure inside an average where no one will look for it.
        The market on Saturday sold apples, cheese, honey, wool, copper pans, old maps and secondhand books, and the
        stallholders knew each other well enough to trade gossip along with change. By noon the square was full.
        In winter the canal froze from the edges inward, and children tested the ice with sticks before they dared to
        slide. The old lock keeper watched from his doorway, remembering a year when the ice had held a horse and cart.
        """;
}

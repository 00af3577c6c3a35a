using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Engine.Tests.Client;

public sealed class ServerMessagesTests
{
    [Theory]
    [InlineData("HTTP 404: {\"error\":{\"object\":\"error\",\"message\":\"The model `sim` does not exist.\",\"type\":\"NotFoundError\",\"code\":404}}", "HTTP 404: The model `sim` does not exist.")]
    [InlineData("{\"object\":\"error\",\"message\":\"vLLM 0.6 style\",\"type\":\"BadRequestError\"}", "vLLM 0.6 style")]
    [InlineData("HTTP 401: {\"error\":\"Unauthorized\"}", "HTTP 401: Unauthorized")]
    [InlineData("HTTP 422: {\"detail\":\"FastAPI says no\"}", "HTTP 422: FastAPI says no")]
    [InlineData("HTTP 502: <html>Bad Gateway</html>", "HTTP 502: <html>Bad Gateway</html>")]
    [InlineData("HTTP 502: <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.22.1</center></body></html>", "HTTP 502: 502 Bad Gateway")]
    [InlineData("HTTP 400: {\"error\":{\"message\":\"cut", "HTTP 400: {\"error\":{\"message\":\"cut")]
    [InlineData("Connection refused (ConnectionRefused)", "Connection refused (ConnectionRefused)")]
    public void The_human_part_of_an_error_reply_is_kept(string error, string expected) =>
        Assert.Equal(expected, ServerMessages.Extract(error));

    [Fact]
    public void A_model_list_in_OpenAI_form_gives_its_ids_and_anything_else_none()
    {
        Assert.Equal(["a", "b"], ModelsProbe.ParseModels("{\"object\":\"list\",\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}]}"));
        Assert.Null(ModelsProbe.ParseModels("{\"data\":[]}"));
        Assert.Null(ModelsProbe.ParseModels("<html>"));
        Assert.Null(ModelsProbe.ParseModels("[1,2]"));
    }
}

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// uvicorn (Debian's python3-uvicorn) on a free loopback port serving a small ASGI app that streams vLLM-style chat
/// completions: a role chunk, <c>max_tokens</c> content chunks, a finish chunk with usage, and <c>[DONE]</c>. As vLLM, it
/// answers a model it does not serve with 404 "The model `x` does not exist." and, started with an API key, a request
/// without it with 401 <c>{"error": "Unauthorized"}</c>.
/// </summary>
public static class Uvicorn
{
    /// <summary>The model it serves.</summary>
    public const string Model = "uvicorn/sse";

    private const string App = """
        import asyncio, json, time

        MODEL = "uvicorn/sse"

        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            def error(status, payload):
                return [{"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]},
                        {"type": "http.response.body", "body": json.dumps(payload).encode()}]

            if API_KEY is not None and dict(scope["headers"]).get(b"authorization") != b"Bearer " + API_KEY.encode():
                for message in error(401, {"error": "Unauthorized"}):
                    await send(message)
                return
            if scope["path"].endswith("/models"):
                payload = json.dumps({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "vllm"}]}).encode()
                await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": payload})
                return
            request = json.loads(body or b"{}")
            if request.get("model", MODEL) != MODEL:
                wrong = request.get("model")
                for message in error(404, {"object": "error", "message": f"The model `{wrong}` does not exist.", "type": "NotFoundError", "param": None, "code": 404}):
                    await send(message)
                return
            tokens = int(request.get("max_tokens") or 8)
            created = int(time.time())

            def event(delta, finish=None, usage=None):
                chunk = {"id": "chatcmpl-uvicorn", "object": "chat.completion.chunk", "created": created, "model": MODEL,
                         "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
                if usage is not None:
                    chunk["usage"] = usage
                return {"type": "http.response.body", "body": b"data: " + json.dumps(chunk).encode() + b"\n\n", "more_body": True}

            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
            await send(event({"role": "assistant", "content": ""}))
            for _ in range(tokens):
                await asyncio.sleep(0.002)
                await send(event({"content": "tok "}))
            await send(event({}, "length", {"prompt_tokens": 4, "completion_tokens": tokens, "total_tokens": tokens + 4}))
            await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})
        """;

    /// <summary>
    /// Starts uvicorn; it closes a kept-alive connection after <paramref name="keepAliveSeconds"/> idle and, with
    /// <paramref name="apiKey"/>, refuses every request without <c>Authorization: Bearer</c> that key, as <c>vllm serve --api-key</c>.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(int keepAliveSeconds = 5, string? apiKey = null)
    {
        var python = ServerProcess.Binary("python3-uvicorn", "/usr/bin/python3");
        var dir = ServerProcess.NewDirectory("uvicorn");
        var port = LoopbackPorts.Free();
        await File.WriteAllTextAsync(Path.Combine(dir, "vllm_sse.py"), $"API_KEY = {(apiKey is null ? "None" : System.Text.Json.JsonSerializer.Serialize(apiKey))}\n" + App);
        return await ServerProcess.StartAsync(python,
            ["-m", "uvicorn", "vllm_sse:app", "--app-dir", dir, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--timeout-keep-alive", keepAliveSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-level", "warning", "--no-access-log"], dir, port);
    }

    /// <summary>Its <c>/v1</c> base URL.</summary>
    public static Uri V1(ServerProcess server) => new($"http://127.0.0.1:{server.Port}/v1");
}

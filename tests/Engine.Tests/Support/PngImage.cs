using System.Buffers.Binary;
using System.IO.Compression;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>The pixels of an 8-bit RGB or RGBA PNG (what Chromium's screenshots are), to tell a drawn page from a blank one.</summary>
public sealed class PngImage
{
    private readonly byte[] _pixels;
    private readonly int _channels;

    private PngImage(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The share of pixels in the rectangle that are not (nearly) white.</summary>
    public double InkShare(int x = 0, int y = 0, int? width = null, int? height = null)
    {
        var w = Math.Min(width ?? Width, Width - x);
        var h = Math.Min(height ?? Height, Height - y);
        long ink = 0;
        for (var row = y; row < y + h; row++)
        {
            for (var col = x; col < x + w; col++)
            {
                var at = ((row * Width) + col) * _channels;
                if (_pixels[at] < 235 || _pixels[at + 1] < 235 || _pixels[at + 2] < 235)
                {
                    ink++;
                }
            }
        }

        return w <= 0 || h <= 0 ? 0 : ink / (double)(w * h);
    }

    /// <summary>Distinct colours in the image (a blank or flat page has one or two).</summary>
    public int Colours() => Enumerable.Range(0, Width * Height).Select(i => (_pixels[i * _channels] << 16) | (_pixels[(i * _channels) + 1] << 8) | _pixels[(i * _channels) + 2]).Distinct().Count();

    public static PngImage Decode(byte[] png)
    {
        if (png.Length < 8 || png[0] != 0x89 || png[1] != (byte)'P')
        {
            throw new InvalidDataException("not a PNG");
        }

        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8 || data[12] != 0)
                    {
                        throw new InvalidDataException($"PNG bit depth {data[8]}, interlace {data[12]}: only 8-bit, non-interlaced");
                    }

                    channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"PNG colour type {data[9]}: only RGB and RGBA") };
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var stride = width * channels;
        var pixels = new byte[height * stride];
        for (var row = 0; row < height; row++)
        {
            var filter = raw[row * (stride + 1)];
            var source = raw.AsSpan((row * (stride + 1)) + 1, stride);
            var line = pixels.AsSpan(row * stride, stride);
            var above = row > 0 ? pixels.AsSpan((row - 1) * stride, stride) : new byte[stride];
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? line[i - channels] : 0, b = above[i], c = i >= channels ? above[i - channels] : 0;
                line[i] = (byte)(source[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
        }

        return new PngImage(width, height, channels, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

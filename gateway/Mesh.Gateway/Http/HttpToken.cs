using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Mesh.Gateway.Hosting;

namespace Mesh.Gateway.Http
{
    /// <summary>
    /// The credential every mutating HTTP request must carry (<c>Authorization: Bearer &lt;token&gt;</c>):
    /// 256 random bits, created at first start in the state folder (0600) and shown once on the console.
    /// Whoever can read the state folder can command the mesh; a web page on another origin cannot.
    /// </summary>
    public sealed class HttpToken
    {
        private readonly byte[] _value;

        private HttpToken(string value, string path, bool created)
        {
            Value = value;
            Path = path;
            Created = created;
            _value = Encoding.ASCII.GetBytes(value);
        }

        public string Value { get; }

        public string Path { get; }

        /// <summary>True when this start created the token (the console shows it then, and only then).</summary>
        public bool Created { get; }

        public static HttpToken LoadOrCreate(string path)
        {
            if (File.Exists(path))
            {
                string text = File.ReadAllText(path).Trim();
                if (text.Length < 32)
                {
                    throw new StartupException($"HTTP token file '{path}' holds no usable token (fewer than 32 characters); delete it and a new one is created at start");
                }

                return new HttpToken(text, path, created: false);
            }

            string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            PrivateFiles.WriteAllText(path, token + "\n");
            return new HttpToken(token, path, created: true);
        }

        /// <summary>Compares in constant time, so response timing reveals nothing about the token.</summary>
        public bool Matches(string? presented) =>
            presented != null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), _value);
    }
}

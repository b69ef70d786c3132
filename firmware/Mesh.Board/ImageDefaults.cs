namespace Mesh.Board
{
    /// <summary>
    /// Defaults compiled into the image, applied at every boot under the settings file I:\mesh.conf (which
    /// overrides them line by line). Never written to flash, so a change here takes effect with the next deploy;
    /// and it holds no key and no WiFi credentials: those go into the settings file, written with
    /// <c>nanoff --filedeployment</c> (hardware/README.md, "Write the settings"), so one image serves every board.
    /// </summary>
    internal static class ImageDefaults
    {
        public const string Settings =
            "policy = managed\n" +
            "radio = udp\n";
    }
}

namespace Mesh.Board
{
    /// <summary>
    /// Defaults compiled into the image, applied at every boot under the settings file I:\mesh.conf (which
    /// overrides them line by line). Never written to flash, so a change here takes effect with the next deploy;
    /// and it holds no key and no WiFi credentials: those go into the settings file, written with
    /// <c>nanoff --filedeployment</c> (hardware/README.md, "Write the settings"), so one image serves every board.
    /// The forwarding policy is the board profile's (BoardProfile.Policy: structured routing on the ESP32 and the
    /// PSRAM boards, managed flooding on the ESP32-C3 and ESP32_S3_QUAD), set before these lines.
    /// </summary>
    internal static class ImageDefaults
    {
        public const string Settings =
            "radio = udp\n";
    }
}

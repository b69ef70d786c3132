namespace Mesh.Board
{
    /// <summary>
    /// The settings a freshly flashed board starts from: edit <see cref="Settings"/> before deploying (at least
    /// the key and, for WiFi, the network). On first boot, when I:\mesh.conf does not exist yet, this text is
    /// written there; from then on the file is what counts (the gateway's commands update it). Same format as
    /// mesh.conf.example; malformed lines are reported at boot and keep their defaults.
    /// </summary>
    internal static class FirstBoot
    {
        public const string Settings =
            "network_id = 1\n" +
            "# key = 00112233445566778899aabbccddeeff\n" +
            "role = sensor\n" +
            "policy = managed\n" +
            "radio = udp\n" +
            "# wifi_ssid = my-network\n" +
            "# wifi_password = my-password\n" +
            "report_interval = 60\n";
    }
}

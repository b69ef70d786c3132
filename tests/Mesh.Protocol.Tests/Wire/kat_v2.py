#!/usr/bin/env python3
"""Third, non-.NET implementation of wire format v2 (PROTOCOL.md), used once to compute the literal
known answers in WireFormatKnownAnswerTests.cs: Python's hmac/hashlib and the `cryptography` package's
AES-ECB (CTR built by hand, inc32 big-endian). Run: python3 kat_v2.py"""
import hashlib, hmac, struct, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def D(k, label): return hmac.new(k, b"Mesh v2 " + label.encode(), hashlib.sha256).digest()

def ctr(key, cb, n):
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out, cb = b"", bytearray(cb)
    while len(out) < n:
        out += enc.update(bytes(cb))
        c = (struct.unpack(">I", cb[12:])[0] + 1) & 0xFFFFFFFF
        cb[12:] = struct.pack(">I", c)
    return out[:n]

# Sender cost (bytes 31..32, u16 LE): the cost to a gateway the transmitter advertises; 0xFFFF from a node that
# does not route (or has no route), 0 from an unloaded gateway.
NO_COST = 0xFFFF

def header(flags, mtype, net, nki, dki, origin, dest, seq, time, hl, ht, prev, nxt, cost, n):
    return struct.pack("<BBHBIIIIBBIIHB", 0x20 | flags, mtype, net, nki | (dki << 4), origin, dest, seq, time, hl, ht, prev, nxt, cost, n)

def seal(nk, dk, flags, mtype, net, nki, dki, origin, dest, seq, time, hl, ht, prev, nxt, cost, plain):
    h = header(flags, mtype, net, nki, dki, origin, dest, seq, time, hl, ht, prev, nxt, cost, len(plain))
    assert len(h) == 34
    body = h
    if flags & 5:
        k = dk if flags & 1 else nk
        lab = "dev" if flags & 1 else "net"
        enc, mac = D(k, lab + " enc")[:16], D(k, lab + " mac")
        a = h[:22] + bytes(11) + h[33:]  # hop fields 22..32 zeroed
        tag = hmac.new(mac, a + plain, hashlib.sha256).digest()[:8]
        cb = tag + struct.pack("<I", seq) + bytes(4)
        ct = bytes(x ^ y for x, y in zip(plain, ctr(enc, cb, len(plain))))
        body += ct + tag
    else:
        body += plain
    return body + hmac.new(D(nk, "net hop"), body, hashlib.sha256).digest()[:8]

NK = bytes(range(16)); DK = bytes(range(0x40, 0x50))
NET, ORIGIN, GW, T = 0x1234, 0x0A0B0C0D, 0x00C0FFEE, 1_800_000_000
cmd_id = int(sys.argv[1], 0) if len(sys.argv) > 1 else 0x1171
print("K_hop     ", D(NK, "net hop").hex())
print("K_net_enc ", D(NK, "net enc")[:16].hex())
print("K_net_mac ", D(NK, "net mac").hex())
print("K_dev_enc ", D(DK, "dev enc")[:16].hex())
print("K_dev_mac ", D(DK, "dev mac").hex())
readings = bytes.fromhex("02016608000002b90f0000")
print("readings  ", seal(NK, DK, 1, 1, NET, 3, 5, ORIGIN, 0xFFFFFFFE, 258, T, 8, 0, ORIGIN, 0, NO_COST, readings).hex())
command = struct.pack("<HBBI", cmd_id, 1, 4, 77) + struct.pack("<I", 300)
print("command   ", seal(NK, DK, 3, 3, NET, 3, 5, GW, ORIGIN, 77, T, 8, 0, GW, 0, NO_COST, command).hex())
print("nettext   ", seal(NK, None, 4, 5, NET, 3, 0, ORIGIN, 0xFFFFFFFF, 259, T, 8, 0, ORIGIN, 0, NO_COST, b"hello mesh").hex())
print("plaintext ", seal(NK, None, 0, 5, NET, 3, 0, ORIGIN, 0xFFFFFFFF, 260, T, 8, 0, ORIGIN, 0, NO_COST, b"hello mesh").hex())
# The readings frame as relayed once by node 0x50F0F0F2 (hops taken 1, previous hop = relay, next hop 0; a relay that
# does not route structured: sender cost 0xFFFF): same ciphertext and payload MIC (hop fields are zeroed under it),
# fresh network MIC.
print("relayed   ", seal(NK, DK, 1, 1, NET, 3, 5, ORIGIN, 0xFFFFFFFE, 258, T, 8, 1, 0x50F0F0F2, 0, NO_COST, readings).hex())
# Structured routing (PROTOCOL.md "6 · Beacon", "7 · Hop ack"): flags 0 (network MIC only), hop limit 0.
# Beacon from Origin, sequence 261: not a gateway, role 1, cost 40, 2 hops, parent 0x50F0F0F2, gateway GW,
# utilisation 0x20, nothing throttled, 2 neighbours (0x50F0F0F2 heard at 230, GW at 128). Sender cost 40: a routing
# node writes the cost its beacon advertises.
beacon = struct.pack("<BBHBIIBIHB", 0, 1, 40, 2, 0x50F0F0F2, GW, 0x20, 0, 0, 2) + struct.pack("<IB", 0x50F0F0F2, 230) + struct.pack("<IB", GW, 128)
assert len(beacon) == 21 + 10
print("beacon    ", seal(NK, None, 0, 6, NET, 3, 0, ORIGIN, 0xFFFFFFFF, 261, T, 0, 0, ORIGIN, 0, 40, beacon).hex())
# Hop ack from GW to Origin, sequence 78, acknowledging (Origin, 258); sender cost 0: a gateway's.
hopack = struct.pack("<BII", 1, ORIGIN, 258)
print("hopack    ", seal(NK, None, 0, 7, NET, 3, 0, GW, ORIGIN, 78, T, 0, 0, GW, 0, 0, hopack).hex())
# Readings payload with a measured-at item first (time T - 600), then temperature 21.50 °C: count 2.
print("measured  ", (bytes([2, 0xFE]) + struct.pack("<I", T - 600) + bytes.fromhex("0166080000")).hex())

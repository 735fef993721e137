import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { GuardedConnection, MalformedPacketError, PacketLengthReader, PacketTooLargeError } from '../../broker/PacketSizeGuard';

/** An MQTT packet with the given body length: type byte, remaining-length varint, body. */
function packet(bodyLength: number): Buffer {
  const length: number[] = [];
  let n = bodyLength;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30, ...length]), Buffer.alloc(bodyLength, 1)]);
}

describe('PacketLengthReader', () => {
  it('passes packets up to the limit, however the stream is chunked', () => {
    const stream = Buffer.concat([packet(0), packet(10), packet(200), packet(1000 - 3), packet(127), packet(128)]);
    for (const chunkSize of [1, 2, 3, 7, 64, stream.length]) {
      const reader = new PacketLengthReader(1000);
      for (let i = 0; i < stream.length; i += chunkSize) reader.inspect(stream.subarray(i, i + chunkSize));
    }
  });

  it('refuses a packet over the limit from its header alone, before the body arrives', () => {
    const reader = new PacketLengthReader(1000);
    reader.inspect(packet(10));
    const header = packet(5000).subarray(0, 3); // type byte + 2 length bytes, no body
    expect(() => reader.inspect(header)).toThrow(PacketTooLargeError);
  });

  it('refuses a 256 MB announcement split byte by byte', () => {
    const reader = new PacketLengthReader(64 * 1024);
    const header = Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]);
    expect(() => {
      for (const byte of header) reader.inspect(Buffer.from([byte]));
    }).toThrow(/268435460 bytes exceeds the limit of 65536/);
  });

  it('refuses a remaining length longer than four bytes', () => {
    const reader = new PacketLengthReader(Number.MAX_SAFE_INTEGER);
    expect(() => reader.inspect(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(MalformedPacketError);
  });
});

describe('GuardedConnection', () => {
  it('hands packets written together (corked) to the socket as one write', async () => {
    const writes: Buffer[] = [];
    const inner = new PassThrough();
    const originalWrite = inner.write.bind(inner);
    inner.write = ((chunk: Buffer, callback?: (error?: Error | null) => void) => {
      writes.push(Buffer.from(chunk));
      return originalWrite(chunk, callback);
    }) as typeof inner.write;
    const guarded = new GuardedConnection(inner, 1000, () => undefined);
    // What mqtt-packet does per packet, and a group commit does for many PUBACKs: cork, write pieces, uncork next tick.
    guarded.cork();
    for (let id = 1; id <= 50; id++) {
      guarded.write(Buffer.from([0x40, 0x02]));
      guarded.write(Buffer.from([0, id]));
    }
    process.nextTick(() => guarded.uncork());
    await new Promise<void>((resolve) => guarded.write(Buffer.alloc(0), () => resolve()));
    expect(writes.length).toBeLessThanOrEqual(2);
    expect(Buffer.concat(writes)).toEqual(Buffer.concat(Array.from({ length: 50 }, (_, i) => Buffer.from([0x40, 0x02, 0, i + 1]))));
    guarded.destroy();
  });
});
